"""The audit log tells HR who launched or closed a survey, changed a cadence or a threshold,
imported the org chart or invited someone to log in, and when: each action once, with who did
it. It records HR's actions only: answering writes nothing to it, and nothing in it says who
answered or when."""

import json
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from surveys.launch import launch_now
from surveys.models import Cadence, Invitation
from surveys.scheduler import run_tick
from surveys.services import create_cadence, save_cadence
from teams.models import AuditAction, AuditEvent, Person
from teams.roles import ensure_hr_group
from tests.anonymity.conftest import Survey, company, emailed_links, form_answers
from tests.teams.test_org_import import GOOD

__all__ = ["company"]
pytestmark = pytest.mark.django_db


@pytest.fixture
def harriet(db) -> User:
    user = User.objects.create_user(
        "harriet", "harriet@example.com", "x", first_name="Harriet", last_name="Jones"
    )
    user.is_staff = True
    user.save()
    user.groups.add(ensure_hr_group())
    return user


def browser_as(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_as(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def log() -> list[tuple[str, str, str]]:
    return list(AuditEvent.objects.order_by("pk").values_list("actor_name", "action", "subject"))


def test_every_action_hr_takes_is_in_the_log_once_with_who_took_it(harriet, tmp_path: Path) -> None:
    api, browser = api_as(harriet), browser_as(harriet)
    api.generic("POST", "/api/v1/org/import?dry_run=true", GOOD, content_type="text/csv")
    api.generic("POST", "/api/v1/org/import", GOOD, content_type="text/csv")
    org_file = tmp_path / "org.csv"
    org_file.write_text(GOOD)
    call_command("import_org", str(org_file), stdout=open("/dev/null", "w"))  # noqa: SIM115
    cadence_id = api.post(
        "/api/v1/cadences/", {"name": "Monthly pulse", "kind": "monthly"}, format="json"
    ).json()["id"]
    api.patch(f"/api/v1/cadences/{cadence_id}/", {"k": 4, "k_comment": 8}, format="json")
    api.patch(f"/api/v1/cadences/{cadence_id}/", {"send_hour": 10}, format="json")
    api.patch(f"/api/v1/cadences/{cadence_id}/", {"send_hour": 10}, format="json")  # no change
    browser.post(f"/hr/cycles/launch/{cadence_id}/")
    cycle_id = api.get("/api/v1/cycles/").json()[0]["id"]
    api.post(f"/api/v1/cycles/{cycle_id}/close")
    grace = Person.objects.get(employee_id="G2")
    browser.post(
        "/admin/teams/person/", {"action": "invite_to_log_in", "_selected_action": [grace.pk]}
    )

    assert log() == [
        ("Harriet Jones", "org_imported", "4 people listed"),
        ("command line", "org_imported", "4 people listed"),
        ("Harriet Jones", "cadence_created", "Monthly pulse"),
        ("Harriet Jones", "threshold_changed", "Monthly pulse"),
        ("Harriet Jones", "cadence_changed", "Monthly pulse"),
        ("Harriet Jones", "cycle_launched", f"Monthly pulse {timezone.now():%Y-%m}"),
        ("Harriet Jones", "cycle_closed", f"Monthly pulse {timezone.now():%Y-%m}"),
        ("Harriet Jones", "login_invited", "Grace Hopper (G2)"),
    ]
    threshold = AuditEvent.objects.get(action=AuditAction.THRESHOLD_CHANGED)
    assert threshold.details == {"k": {"from": 5, "to": 4}, "k_comment": {"from": 10, "to": 8}}
    imported = AuditEvent.objects.filter(action=AuditAction.ORG_IMPORTED).order_by("pk").first()
    assert imported is not None
    assert imported.details["created"] == 4
    assert AuditEvent.objects.filter(actor=harriet).count() == 7


def test_the_command_line_is_named_as_the_actor_of_commands(company) -> None:
    cadence = Cadence.objects.create(name="Monthly pulse", kind="monthly")
    call_command("launch_cycle", str(cadence.pk), stdout=open("/dev/null", "w"))  # noqa: SIM115
    cycle_id = cadence.cycles.get().pk
    call_command("close_cycle", str(cycle_id), stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert [(actor, action) for actor, action, _ in log()] == [
        ("command line", "cycle_launched"),
        ("command line", "cycle_closed"),
    ]


def audit_dump() -> str:
    """The whole audit table, as someone with a copy of the database would read it."""
    rows = AuditEvent.objects.order_by("pk").values()
    return json.dumps(list(rows), default=str, sort_keys=True)


def test_answering_writes_nothing_to_the_log_and_the_log_says_nothing_about_answers(
    harriet, company
) -> None:
    cadence = Cadence.objects.create(name="Monthly pulse", kind="monthly")
    browser = browser_as(harriet)
    browser.post(f"/hr/cycles/launch/{cadence.pk}/")
    cycle = cadence.cycles.get()
    run_tick()
    survey = Survey(cycle=cycle, links=emailed_links())
    invitation_ids = set(Invitation.objects.filter(cycle=cycle).values_list("pk", flat=True))
    before_answers = audit_dump()

    respondents = company["platform"][:7] + company["data"][:11]
    for person in respondents:
        Client().post(f"/a/{survey.token(person.email)}/", form_answers(survey, [6, 5, 6, 5]))
    after_answers = audit_dump()
    browser.post(f"/hr/cycles/{cycle.pk}/close/")
    events = list(AuditEvent.objects.order_by("pk"))

    assert after_answers == before_answers
    assert [event.action for event in events] == ["cycle_launched", "cycle_closed"]
    # Only the cycle and facts known before anyone answered: no invitation, no answered flag,
    # no count of respondents, no time but the two actions' own.
    assert events[0].details == {"cycle": cycle.pk, "invited": cycle.invited_count, "k": 5}
    assert events[1].details == {"cycle": cycle.pk, "invited": cycle.invited_count}
    cycle.refresh_from_db()
    assert [event.at for event in events] == [cycle.opens_at, cycle.closed_at]
    dump = audit_dump().lower()
    assert not re.search(r"answer|respond|token|invitation|person", dump)
    every_number = {
        int(number)
        for number in re.findall(r"\d+", json.dumps([event.details for event in events]))
    }
    assert every_number <= {cycle.pk, cycle.invited_count, 5}
    assert len(respondents) not in every_number
    assert not invitation_ids & (every_number - {cycle.pk, cycle.invited_count, 5})
    assert mail.outbox  # the survey went out, and still nothing of it is in the log


def test_hr_reads_the_log_newest_first_one_kind_at_a_time_and_page_by_page(harriet) -> None:
    for number in range(60):
        Cadence.objects.create(name=f"Cadence {number:02}", kind="monthly")
    for cadence in Cadence.objects.all():
        save_cadence(cadence=cadence, population_team=None, actor=harriet)  # no change: no event
    for number in range(55):
        create_cadence(name=f"New {number:02}", kind="monthly", actor=harriet)
    cadence = Cadence.objects.get(name="New 54")
    cadence.k = 6
    save_cadence(cadence=cadence, population_team=None, actor=harriet)
    browser = browser_as(harriet)

    first = browser.get("/hr/audit/")
    second = browser.get("/hr/audit/?page=2")
    thresholds = browser.get("/hr/audit/?action=threshold_changed")

    assert [entry.subject for entry in first.context["log"].entries][:2] == ["New 54", "New 54"]
    assert first.context["log"].entries[0].action_label == "Changed a threshold"
    assert "k: 5 → 6" in first.content.decode()
    assert len(first.context["log"].entries) == 50
    assert [entry.subject for entry in second.context["log"].entries][-1] == "New 00"
    assert [entry.subject for entry in thresholds.context["log"].entries] == ["New 54"]
    assert "Older" in first.content.decode() and "Newer" in second.content.decode()


def test_the_api_gives_hr_the_same_log_and_nobody_else_any_of_it(harriet, company) -> None:
    cadence = Cadence.objects.create(name="Monthly pulse", kind="monthly")
    launch_now(cadence=cadence, now=timezone.now(), actor=harriet)
    grace_login = User.objects.create_user("grace", "grace@example.com", "x")

    listing = api_as(harriet).get("/api/v1/audit?action=cycle_launched").json()
    wrong = api_as(harriet).get("/api/v1/audit?action=answered")

    assert listing["count"] == 1
    assert listing["results"][0]["actor"] == "Harriet Jones"
    assert listing["results"][0]["action"] == "cycle_launched"
    assert wrong.status_code == 400
    assert "Unknown action 'answered'" in wrong.json()["fields"]["action"][0]
    assert api_as(grace_login).get("/api/v1/audit").status_code == 403
    assert APIClient().get("/api/v1/audit").status_code == 401
    assert browser_as(grace_login).get("/hr/audit/").status_code == 404
