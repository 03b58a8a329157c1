"""In a real browser, on the demo company: after a release Kenji follows the "results are
ready" email to his dashboard, chooses a focus on his phone, writes two commitments and shares
them; Nadia (HR) then finds Platform on the follow-through page, on a laptop. The next survey
opens: an engineer of Platform sees the focus and the commitments above the questions and
answers the follow-through item; after its release Kenji reads the follow-through score. The
browser refuses nothing on any of these pages (the Content-Security-Policy holds)."""

import datetime
import json
import re
from io import StringIO
from pathlib import Path
from urllib.request import Request, urlopen

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from pulse.scheduler import run_pulse_tick
from surveys.closing import close_cycle
from surveys.launch import launch_now
from surveys.models import Cadence, Focus, Invitation
from surveys.scheduler import run_tick
from teams.demo import existing_demo_logins
from tests.anonymity.conftest import emailed_links

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path(__file__).parent.parent.parent / "var" / "screenshots"


def log_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", password)
    page.locator("form button[type=submit]").first.click()


def watch(page, refused: list[str]) -> None:
    """Collect what the browser refused (CSP) or could not load, but the favicon nobody has."""
    page.on(
        "console",
        lambda message: (
            refused.append(message.text)
            if message.type == "error" and "Failed to load resource" not in message.text
            else None
        ),
    )
    page.on(
        "response",
        lambda response: (
            refused.append(f"{response.status} {response.url}")
            if response.status >= 400 and not response.url.endswith("/favicon.ico")
            else None
        ),
    )


def test_a_manager_walks_the_loop_and_hr_sees_it(
    item_catalogue, live_server, browser, settings
) -> None:
    settings.PULSE_BASE_URL = live_server.url
    call_command("seed_demo", stdout=StringIO())
    logins = {login.person.name: login for login in existing_demo_logins()}
    kenji, nadia = logins["Kenji Tanaka"], logins["Nadia Petrova"]
    email = next(
        m
        for m in reversed(mail.outbox)
        if m.to == [kenji.person.email] and "results are ready" in m.subject
    )
    link = re.search(r"http://\S+/dashboard/\?cycle=\d+", str(email.body))
    assert link is not None
    SHOTS.mkdir(parents=True, exist_ok=True)
    refused: list[str] = []

    phone = browser.new_page(viewport={"width": 390, "height": 844})
    watch(phone, refused)
    log_in(phone, live_server.url, kenji.username, kenji.password)
    phone.goto(link.group(0))
    expect(phone.get_by_role("heading", name="After the results")).to_be_visible()
    phone.screenshot(path=str(SHOTS / "loop-dashboard-phone.png"), full_page=True)
    phone.get_by_role("link", name="Team summary to show or print").click()
    expect(phone.get_by_role("heading", name="Questions for us")).to_be_visible()
    phone.screenshot(path=str(SHOTS / "loop-summary-phone.png"), full_page=True)
    phone.go_back()
    phone.get_by_role("link", name="Choose a focus").click()
    phone.get_by_label("Open conversation").check()
    due = (timezone.localdate() + datetime.timedelta(days=21)).isoformat()
    phone.fill("#id_text_1", "Ask for the strongest argument against before each decision")
    phone.fill("#id_due_1", due)
    phone.fill("#id_text_2", "A monthly retro in which I speak last")
    phone.get_by_role("button", name="Save").click()
    expect(phone.get_by_role("status")).to_be_visible()
    phone.screenshot(path=str(SHOTS / "loop-focus-phone.png"), full_page=True)
    phone.get_by_role("button", name="Share with the team").click()
    assert "shared" in phone.inner_text("main")
    phone.screenshot(path=str(SHOTS / "loop-shared-phone.png"), full_page=True)
    # Platform's focus on this survey: the demo's managers chose one after the survey before.
    released_cycle = int(link.group(0).rsplit("=", 1)[1])
    focus = Focus.objects.get(
        team__name="Platform", cycle_id=released_cycle, shared_at__isnull=False
    )
    assert focus.commitments.count() == 2

    laptop = browser.new_page(viewport={"width": 1280, "height": 900})
    watch(laptop, refused)
    log_in(laptop, live_server.url, nadia.username, nadia.password)
    laptop.goto(f"{live_server.url}/hr/follow-through/?cycle={focus.cycle_id}")
    row = laptop.locator("tr", has_text="Platform").first
    assert "Open conversation" in row.inner_text() and "0 of 2" in row.inner_text()
    laptop.screenshot(path=str(SHOTS / "loop-follow-through-desktop.png"), full_page=True)

    # The next pulse: everyone is emailed; one of Kenji's engineers answers on a phone.
    mail.outbox.clear()
    cadence = Cadence.objects.get(pk=focus.cycle.cadence_id)
    next_cycle = launch_now(cadence=cadence, now=timezone.now())
    run_tick()
    links = emailed_links()
    platform_people = list(
        Invitation.objects.filter(cycle=next_cycle, reporting_unit__name="Platform")
        .exclude(person=kenji.person)
        .values_list("person__email", flat=True)
    )
    first, *others = platform_people
    invitation_email = next(m for m in mail.outbox if m.to == [first])
    assert "A monthly retro in which I speak last" in str(invitation_email.body)
    employee = browser.new_page(viewport={"width": 390, "height": 844})
    watch(employee, refused)
    employee.goto(f"{live_server.url}/a/{links[first]}/")
    above = employee.inner_text("main")
    assert "chose to work on Open conversation" in above
    assert "Ask for the strongest argument against before each decision" in above
    employee.screenshot(path=str(SHOTS / "loop-next-survey-phone.png"), full_page=True)
    for fieldset in employee.locator("fieldset.question").all():
        fieldset.locator("label.choice").nth(5).click()
    employee.locator(".scale.enps label.choice").nth(8).click()
    employee.get_by_role("button", name="Send my answers").click()
    expect(employee.get_by_role("heading", name="Thank you")).to_be_visible()

    # Everyone else answers by the JSON API, each the questions of their own link.
    for address, token in links.items():
        if address == first:
            continue
        questions = questions_of_link(live_server.url, token)
        answers = {key: 6 if address in others else 5 for key in questions}
        posted = post_answers(live_server.url, token, answers)
        assert posted == 201
    close_cycle(cycle_id=next_cycle.pk)
    assert next_cycle.pk in run_pulse_tick().released

    phone.goto(f"{live_server.url}/dashboard/?cycle={next_cycle.pk}")
    progress = phone.inner_text("main")
    assert "did we do what we said?" in progress
    assert phone.locator(".big-inline").first.inner_text().isdigit()
    phone.screenshot(path=str(SHOTS / "loop-follow-through-score-phone.png"), full_page=True)
    phone.goto(f"{live_server.url}/accounts/logout/")
    assert refused == []


def questions_of_link(base: str, token: str) -> list[str]:
    """The question keys of one link, as a script would read them from the JSON API."""
    with urlopen(f"{base}/api/v1/pulse/{token}") as response:  # noqa: S310 (the live server)
        return [question["key"] for question in json.load(response)["questions"]]


def post_answers(base: str, token: str, answers: dict[str, int]) -> int:
    body = json.dumps({"answers": answers, "enps": 8, "comment": ""}).encode()
    request = Request(  # noqa: S310 (the live server)
        f"{base}/api/v1/pulse/{token}",
        data=body,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urlopen(request) as response:  # noqa: S310
        return response.status
