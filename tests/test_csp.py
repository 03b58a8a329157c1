"""Every page Pulse serves carries the strict Content-Security-Policy and needs nothing it
forbids: no inline style attributes, no <style> or <script> blocks, no inline event handlers.

The pages are visited as the person who uses them (HR, a manager, an admin, a respondent with a
link, someone logged out) on the demo organisation, and the list is checked against the URL
patterns, so a new page cannot be added without being checked here.
"""

import re
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone

from surveys.launch import launch_now
from surveys.models import Cadence
from surveys.scheduler import run_tick
from teams.demo import existing_demo_logins
from tests.anonymity.conftest import emailed_links

pytestmark = pytest.mark.django_db

# Routes that never answer with a page, each with the reason.
NOT_PAGES = {
    "accounts/email/": "not served: a login's address is its person's "
    "(tests/anonymity/test_hr_login_takes_a_colleagues_address.py)",
    "admin/jsi18n/": "JavaScript, served as a file",
    "admin/autocomplete/": "JSON for the admin's search boxes",
    "admin/r/<path:content_type_id>/<path:object_id>/": "a redirect to the object's own page",
    "admin/(?P<url>.*)$": "the admin's catch-all: a redirect or a 404",
    "api/schema/": "the OpenAPI document (YAML)",
    "api/v1/.*$": "the API's JSON 404 for an address no operation has",
    "hr/employees-and-customers.csv": "a CSV download (tests/pulse/test_employees_and_customers.py)",
    "profile/tokens/": "POST only: answers with the profile page (tests/teams/test_api_tokens.py)",
    "profile/tokens/<int:token_id>/revoke/": "POST only: a redirect to the profile page",
    "hr/org/import/options/": "POST only: a redirect to the org import page",
    "hr/org/import/apply/": "POST only: a redirect to the org import page (its states are "
    "checked in tests/teams/test_org_import_page.py)",
    "hr/org/import/cancel/": "POST only: a redirect to the org import page",
}
# Pages whose refusal is the page: still served under the policy. The POST-only ones are the
# API's actions; the admin refuses adding teams and cycles by hand, and deleting a team or a
# cycle that has launched; its login address refuses a manager, who is logged in but not staff.
REFUSALS = re.compile(
    r"^(/a/not-a-link-anyone-was-sent/|/a/[\w-]+/[\w-]+/|/admin/login/|/admin/logout/|/admin/teams/team/add/"
    r"|/admin/teams/team/\d+/delete/|/admin/surveys/cycle/add/|/admin/surveys/cycle/\d+/delete/"
    r"|/api/v1/org/import|/api/v1/org/import/jobs|/api/v1/org/import/jobs/999999"
    r"|/api/v1/cx/values/import"
    r"|/api/v1/results/|/api/v1/cx/linked|/api/v1/results/1/trend|/api/v1/\w+/\d+/(launch|close)"
    r"|/dashboard/999999/summary/|/dashboard/\d+/focus/share/|/dashboard/commitments/\d+/status/"
    r"|/api/v1/focus/\d+/share|/api/v1/focus/\d+/commitments/\d+)$"
)
OBJECT_REDIRECT = re.compile(r"^admin/\w+/\w+/<path:object_id>/$")  # redirects to .../change/


def join_route(prefix: str, route: str) -> str:
    """As django.urls joins the routes of included patterns (ResolverMatch.route)."""
    return prefix + route.removeprefix("^") if prefix else route


def every_route(patterns: list, prefix: str = "") -> set[str]:
    routes = set()
    for pattern in patterns:
        route = join_route(prefix, str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            routes |= every_route(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            routes.add(route)
    return routes


class InlineCode(HTMLParser):
    """Collects what a strict CSP would refuse to apply."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.open_block: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if "style" in attributes:
            self.problems.append(f"<{tag} style=...>")
        self.problems += [f"<{tag} {name}=...>" for name in attributes if name.startswith("on")]
        if tag == "style" and "nonce" not in attributes:
            self.open_block = "style"
        # A data block (application/json) is never executed; src= loads a same-origin file.
        data_block = attributes.get("type") in ("application/json", "application/ld+json")
        if tag == "script" and not ({"src", "nonce"} & set(attributes) or data_block):
            self.open_block = "script"
        if tag == "a" and (attributes.get("href") or "").lower().startswith("javascript:"):
            self.problems.append("<a href=javascript:...>")

    def handle_data(self, data: str) -> None:
        if self.open_block and data.strip():
            self.problems.append(f"inline <{self.open_block}>: {data.strip()[:60]!r}")

    def handle_endtag(self, tag: str) -> None:
        if tag == self.open_block:
            self.open_block = None


def refusals(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.problems


@dataclass
class DemoSite:
    """The demo company with a cycle open for answers: a client for each role, and the token
    of one emailed link."""

    clients: dict[str, Client]
    token: str


@pytest.fixture
def demo() -> DemoSite:
    """The demo company, with a cycle open for answers, and a client for each role."""
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    mail.outbox.clear()
    cadence = Cadence.objects.filter(active=True).first()
    assert cadence is not None
    launch_now(cadence=cadence, now=timezone.now())
    run_tick()
    logins = {login.person.name: login for login in existing_demo_logins()}
    clients = {"anyone": Client(), "admin": Client()}
    for role, name in (("hr", "Nadia Petrova"), ("manager", "Kenji Tanaka")):
        clients[role] = Client()
        assert clients[role].login(username=logins[name].username, password=logins[name].password)
    root = User.objects.create_superuser("root", "root@example.com", "a-long-test-password")
    EmailAddress.objects.create(user=root, email=root.email, verified=True, primary=True)
    assert clients["admin"].login(username="root", password="a-long-test-password")
    return DemoSite(clients=clients, token=next(iter(emailed_links().values())))


def pages(demo: DemoSite) -> list[tuple[str, str]]:
    """(role, path) for every page, as its user opens it."""
    token = demo.token
    visits = [
        ("anyone", "/"),
        ("manager", "/"),
        ("manager", "/dashboard/"),
        ("hr", "/hr/heatmap/"),
        ("hr", "/hr/participation/"),
        ("hr", "/hr/cycles/"),
        ("hr", "/hr/audit/"),
        ("hr", "/hr/employees-and-customers/"),
        ("anyone", f"/a/{token}/"),
        ("anyone", "/a/not-a-link-anyone-was-sent/"),
        ("anyone", "/anonymity/"),
        ("anyone", "/health/"),
        ("admin", "/dev/outbox/"),
        ("hr", "/api/docs/"),
        ("manager", "/profile/"),
        ("hr", "/profile/"),
        # The product's 404: a unit outside the manager's scope (its 403: /admin/login/ below).
        ("manager", "/dashboard/999999/summary/"),
    ]
    # The browsable API is HTML too.
    api = [
        ("hr", "/api/v1/org/import"),
        ("hr", "/api/v1/org/import/jobs"),
        ("hr", "/api/v1/org/import/jobs/999999"),
        ("hr", "/api/v1/cadences/"),
        ("hr", "/api/v1/cycles/"),
        ("manager", "/api/v1/results/"),
        ("manager", "/api/v1/cx/linked"),
        ("anyone", f"/api/v1/pulse/{token}"),
    ]
    from surveys.models import Cycle

    cycle = Cycle.objects.order_by("pk").first()
    cadence = Cadence.objects.order_by("pk").first()
    assert cycle is not None
    assert cadence is not None
    # A link clicked after its survey closed: the closed page, found by the cycle's public id.
    visits.append(("anyone", f"/a/{cycle.public_id}/{token}/"))
    # The loop after the results, on the latest release: Kenji leads Platform there; the
    # earlier release has the demo's shared focuses.
    from pulse.models import ReleasedUnit
    from surveys.models import Commitment

    released = ReleasedUnit.objects.filter(cycle__release__isnull=False).order_by(
        "-cycle__closes_at"
    )
    platform = released.filter(unit__name="Platform").first()
    commitment = Commitment.objects.order_by("pk").first()
    assert platform is not None
    assert commitment is not None
    unit = platform.unit_id
    visits += [
        ("manager", f"/dashboard/{unit}/summary/"),
        ("manager", f"/dashboard/{unit}/focus/"),
        ("manager", f"/dashboard/{unit}/focus/share/"),
        ("manager", f"/dashboard/commitments/{commitment.pk}/status/"),
        ("hr", "/hr/follow-through/"),
        ("hr", "/hr/org/import/"),
        ("hr", "/hr/cadences/"),
        ("hr", "/hr/cadences/new/?kind=quarterly"),
        ("hr", f"/hr/cadences/{cadence.pk}/"),
    ]
    api += [
        ("manager", f"/api/v1/focus/?cycle={platform.cycle_id}"),
        ("manager", f"/api/v1/focus/{unit}"),
        ("manager", f"/api/v1/focus/{unit}/share"),
        ("manager", f"/api/v1/focus/{unit}/commitments/1"),
        ("hr", f"/api/v1/follow-through/?cycle={platform.cycle_id}"),
    ]
    open_cycle = Cycle.objects.filter(state="open").order_by("pk").first()
    assert open_cycle is not None
    visits += [
        ("hr", f"/hr/cycles/launch/{cadence.pk}/"),
        ("hr", f"/hr/cycles/{open_cycle.pk}/close/"),
        ("hr", f"/hr/cycles/{cycle.pk}/close/"),
    ]
    api += [
        ("hr", "/api/v1/audit"),
        ("hr", f"/api/v1/cadences/{cadence.pk}/"),
        ("hr", f"/api/v1/cadences/{cadence.pk}/launch"),
        ("hr", f"/api/v1/cycles/{cycle.pk}/"),
        ("hr", f"/api/v1/cycles/{cycle.pk}/close"),
        ("manager", "/api/v1/results/1/trend"),
    ]
    # Customer metrics (the demo seeds them): HR defines metrics, imports and reads values.
    from customers.models import MetricValue

    value = MetricValue.objects.order_by("pk").first()
    assert value is not None
    api += [
        ("hr", "/api/v1/cx/metrics/"),
        ("hr", f"/api/v1/cx/metrics/{value.metric.key}"),
        ("hr", "/api/v1/cx/values/"),
        ("hr", f"/api/v1/cx/values/{value.pk}"),
        ("hr", "/api/v1/cx/values/import"),
    ]
    accounts = [
        ("anyone", "/accounts/login/"),
        ("anyone", "/accounts/login/code/"),
        ("anyone", "/accounts/login/code/confirm/"),
        ("anyone", "/accounts/signup/"),
        ("anyone", "/accounts/inactive/"),
        ("anyone", "/accounts/confirm-email/"),
        ("anyone", "/accounts/confirm-email/not-a-key/"),
        ("anyone", "/accounts/password/reset/"),
        ("anyone", "/accounts/password/reset/done/"),
        ("anyone", "/accounts/password/reset/key/1-not-a-key/"),
        ("anyone", "/accounts/password/reset/key/done/"),
        ("manager", "/accounts/logout/"),
        ("manager", "/accounts/password/change/"),
        ("manager", "/accounts/password/set/"),
        ("manager", "/accounts/reauthenticate/"),
    ]
    admin_pages = [
        ("anyone", "/admin/login/"),
        ("manager", "/admin/login/"),
        ("admin", "/admin/"),
        ("admin", "/admin/logout/"),
        ("admin", "/admin/password_change/"),
        ("admin", "/admin/password_change/done/"),
        ("hr", "/admin/"),
    ]
    from django.contrib import admin

    for model in admin.site._registry:
        meta = model._meta
        base = f"/admin/{meta.app_label}/{meta.model_name}/"
        admin_pages += [("admin", f"/admin/{meta.app_label}/"), ("admin", base)]
        if meta.app_label in ("teams", "surveys", "customers"):
            admin_pages.append(("hr", base))
        admin_pages.append(("admin", f"{base}add/"))
        first = model._default_manager.order_by("pk").first()
        if first is None:
            first = model._default_manager.create() if meta.model_name == "group" else None
        if first is not None:
            for suffix in ("", "change/", "history/", "delete/"):
                admin_pages.append(("admin", f"{base}{first.pk}/{suffix}"))
            if meta.model_name == "user":
                admin_pages.append(("admin", f"{base}{first.pk}/password/"))
    return visits + api + accounts + admin_pages


def test_the_pages_checked_here_are_every_page_there_is(demo: DemoSite) -> None:
    visited = {resolve(path.split("?")[0]).route for _, path in pages(demo)}
    unlisted = {
        route
        for route in every_route(get_resolver().url_patterns)
        if route not in visited and route not in NOT_PAGES and not OBJECT_REDIRECT.match(route)
    }
    assert not unlisted, f"pages nobody checks for inline code: {sorted(unlisted)}"


def test_every_page_carries_the_strict_policy_and_no_inline_code(demo: DemoSite) -> None:
    failures = []
    for role, path in pages(demo):
        # The development outbox answers only with DEBUG on (django-csp leaves DEBUG's own
        # error pages alone, so DEBUG is on for that page only).
        with override_settings(DEBUG=path.startswith("/dev/")):
            accept = "application/json" if path.startswith("/api/v1/") else "text/html"
            response = demo.clients[role].get(path, HTTP_ACCEPT=accept)
        policy = response.get("Content-Security-Policy", "")
        where = f"{path} as {role} ({response.status_code})"
        if response.status_code >= 400 and not REFUSALS.match(path):
            failures.append(f"{where}: {role} cannot open the page")
        if response.status_code >= 500:
            failures.append(f"{where}: server error")
        if "default-src 'self'" not in policy or "'unsafe-" in policy:
            failures.append(f"{where}: policy {policy!r}")
        if "html" in response.get("Content-Type", ""):
            failures += [f"{where}: {problem}" for problem in refusals(response.text)]
    assert not failures, "\n".join(failures)


def test_the_checker_sees_each_kind_of_inline_code() -> None:
    assert refusals('<p style="color: red">x</p>') == ["<p style=...>"]
    assert refusals("<style>p { color: red }</style>") == ["inline <style>: 'p { color: red }'"]
    assert refusals("<script>alert(1)</script>") == ["inline <script>: 'alert(1)'"]
    assert refusals('<button onclick="go()">') == ["<button onclick=...>"]
    assert refusals('<script nonce="abc">ok()</script><script src="/static/a.js"></script>') == []
    assert refusals('<script type="application/json" id="data">{"a": 1}</script>') == []
