"""HR configures cadences through the API; impossible settings are refused with a reason."""

import json
import re

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from surveys.models import Cadence, Cycle, CycleState
from teams.models import Team
from teams.roles import ensure_hr_group

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr_client(org) -> APIClient:
    user = User.objects.create_user("hannah", "hannah@example.com", "pw")
    user.groups.add(ensure_hr_group())
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def manager_client(org) -> APIClient:
    user = User.objects.create_user("grace", "grace.hopper@example.com", "pw")
    org.grace.user = user
    org.grace.save()
    client = APIClient()
    client.force_authenticate(user)
    return client


VALID = {"name": "Monthly pulse", "kind": "monthly", "time_zone": "Europe/Berlin"}


def test_hr_creates_a_cadence_with_sensible_defaults(hr_client) -> None:
    response = hr_client.post("/api/v1/cadences/", VALID, format="json")
    assert response.status_code == 201, response.data
    body = response.json()
    assert body["window_days"] == 7
    assert body["reminder_offsets"] == [3, 5]
    assert (body["k"], body["k_comment"]) == (5, 10)
    assert body["population_team"] is None
    listing = hr_client.get("/api/v1/cadences/").json()
    assert [(c["id"], c["name"]) for c in listing] == [(body["id"], "Monthly pulse")]


def test_a_quarterly_cadence_gets_two_weeks_and_reminders_on_days_5_and_10_unless_told(
    hr_client,
) -> None:
    body = hr_client.post(
        "/api/v1/cadences/", {**VALID, "name": "Quarterly", "kind": "quarterly"}, format="json"
    ).json()
    assert (body["window_days"], body["reminder_offsets"]) == (14, [5, 10])
    chosen = hr_client.post(
        "/api/v1/cadences/",
        {
            **VALID,
            "name": "Quarterly, short",
            "kind": "quarterly",
            "window_days": 10,
            "reminder_offsets": [4],
        },
        format="json",
    ).json()
    assert (chosen["window_days"], chosen["reminder_offsets"]) == (10, [4])


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"k": 2}, "k", "at least 3"),
        ({"window_days": 30}, "window_days", "longer than the period"),
        ({"kind": "quarterly", "window_days": 120}, "window_days", "at most 89"),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "not a known time zone"),
        ({"reminder_offsets": [3, 8]}, "reminder_offsets", "after the survey closes"),
        ({"reminder_offsets": [1, 2, 3, 4]}, "reminder_offsets", "At most 3"),
        ({"reminder_offsets": [5, 3]}, "reminder_offsets", "increasing order"),
        ({"k": 8, "k_comment": 6}, "k_comment", "at least k"),
        ({"send_hour": 24}, "send_hour", "0"),
    ],
)
def test_impossible_settings_are_refused_with_the_field_and_the_reason(
    hr_client, change, field, reason
) -> None:
    response = hr_client.post("/api/v1/cadences/", {**VALID, **change}, format="json")
    assert response.status_code == 400
    problems = response.json()["fields"]
    assert list(problems) == [field]
    assert reason in " ".join(problems[field])
    assert not Cadence.objects.exists()


def test_a_partial_update_is_checked_against_the_stored_settings(hr_client) -> None:
    cadence_id = hr_client.post("/api/v1/cadences/", VALID, format="json").json()["id"]
    response = hr_client.patch(f"/api/v1/cadences/{cadence_id}/", {"window_days": 2}, format="json")
    assert response.status_code == 400
    assert "after the survey closes" in " ".join(response.json()["fields"]["reminder_offsets"])


def test_a_managers_login_cannot_touch_cadences_or_cycles(manager_client) -> None:
    assert manager_client.get("/api/v1/cadences/").status_code == 403
    assert manager_client.post("/api/v1/cadences/", VALID, format="json").status_code == 403
    # The cycle list is the manager's too, holding only what it may read (nothing here);
    # a cycle itself, launching and closing stay HR's.
    assert manager_client.get("/api/v1/cycles/").json() == []
    assert manager_client.post("/api/v1/cycles/1/close").status_code == 403
    assert APIClient().get("/api/v1/cadences/").status_code in (401, 403)


def test_hr_launches_now_then_a_second_launch_for_the_period_is_refused(hr_client, org) -> None:
    cadence_id = hr_client.post("/api/v1/cadences/", VALID, format="json").json()["id"]
    response = hr_client.post(f"/api/v1/cadences/{cadence_id}/launch")
    assert response.status_code == 201, response.data
    cycle = response.json()
    assert cycle["state"] == "open"
    assert cycle["invited_count"] == len(org.everyone)
    again = hr_client.post(f"/api/v1/cadences/{cadence_id}/launch")
    assert again.status_code == 409
    assert again.json()["code"] == "cannot_launch"
    assert "already has a cycle" in again.json()["message"]


def test_hr_closes_a_cycle_early_once(hr_client) -> None:
    cadence_id = hr_client.post("/api/v1/cadences/", VALID, format="json").json()["id"]
    cycle_id = hr_client.post(f"/api/v1/cadences/{cadence_id}/launch").json()["id"]
    response = hr_client.post(f"/api/v1/cycles/{cycle_id}/close")
    assert response.status_code == 200
    assert response.json()["state"] == "closed"
    assert Cycle.objects.get(pk=cycle_id).state == CycleState.CLOSED
    assert hr_client.post(f"/api/v1/cycles/{cycle_id}/close").status_code == 409


def test_a_cadence_for_one_department_invites_only_that_subtree(hr_client, org) -> None:
    platform = Team.objects.get(manager=org.grace)
    response = hr_client.post(
        "/api/v1/cadences/", {**VALID, "population_team": platform.pk}, format="json"
    )
    launched = hr_client.post(f"/api/v1/cadences/{response.json()['id']}/launch").json()
    assert launched["invited_count"] == len(org.platform)


def test_a_cadence_whose_team_disappeared_refuses_to_launch_instead_of_surveying_everyone(
    hr_client, org
) -> None:
    design = Team.objects.get(manager=org.linus)
    cadence_id = hr_client.post(
        "/api/v1/cadences/", {**VALID, "population_team": design.pk, "k": 3}, format="json"
    ).json()["id"]
    design.delete()
    response = hr_client.post(f"/api/v1/cadences/{cadence_id}/launch")
    assert response.status_code == 409
    assert "no longer exists" in response.json()["message"]
    assert hr_client.get(f"/api/v1/cadences/{cadence_id}/").json()["population_missing"]


def cadence_form(cadence: Cadence, **changes: object) -> dict[str, object]:
    """The admin's change form for `cadence`, as HR would submit it."""
    form: dict[str, object] = {
        "name": cadence.name,
        "kind": cadence.kind,
        "population_team": cadence.population_team_id or "",
        "active": "on",
        "schedule_kind": cadence.schedule_kind,
        "day_of_month": cadence.day_of_month,
        "week_of_month": cadence.week_of_month,
        "weekday": cadence.weekday,
        "send_hour": cadence.send_hour,
        "time_zone": cadence.time_zone,
        "window_days": cadence.window_days,
        "reminder_offsets": json.dumps(cadence.reminder_offsets),
        "k": cadence.k,
        "k_comment": cadence.k_comment,
        "_save": "Save",
    }
    form.update(changes)
    return form


def test_a_team_chosen_in_the_admin_is_remembered_like_one_chosen_over_the_api(
    hr_client, admin_client, org
) -> None:
    design = Team.objects.get(manager=org.linus)
    cadence_id = hr_client.post("/api/v1/cadences/", {**VALID, "k": 3}, format="json").json()["id"]
    cadence = Cadence.objects.get(pk=cadence_id)
    response = admin_client.post(
        f"/admin/surveys/cadence/{cadence_id}/change/",
        cadence_form(cadence, population_team=design.pk),
    )
    assert response.status_code == 302, re.findall(r'<ul class="errorlist.*?</ul>', response.text)
    cadence.refresh_from_db()
    assert (cadence.population_team, cadence.population_is_team) == (design, True)
    # The team goes; both doors then say the cadence cannot launch, rather than surveying all.
    design.delete()
    assert hr_client.get(f"/api/v1/cadences/{cadence_id}/").json()["population_missing"]
    assert "no longer exists" in admin_client.get("/admin/surveys/cadence/").text
    assert hr_client.post(f"/api/v1/cadences/{cadence_id}/launch").status_code == 409
    # Choosing the whole organisation again, over the API, clears the flag.
    hr_client.patch(f"/api/v1/cadences/{cadence_id}/", {"population_team": None}, format="json")
    cadence.refresh_from_db()
    assert (cadence.population_team, cadence.population_is_team) == (None, False)
    assert not hr_client.get(f"/api/v1/cadences/{cadence_id}/").json()["population_missing"]
    assert "Whole organisation" in admin_client.get("/admin/surveys/cadence/").text


def test_a_patch_that_does_not_name_the_team_keeps_it(hr_client, org) -> None:
    platform = Team.objects.get(manager=org.grace)
    created = hr_client.post(
        "/api/v1/cadences/", {**VALID, "population_team": platform.pk}, format="json"
    ).json()
    hr_client.patch(f"/api/v1/cadences/{created['id']}/", {"window_days": 10}, format="json")
    cadence = Cadence.objects.get(pk=created["id"])
    assert (cadence.population_team, cadence.population_is_team, cadence.window_days) == (
        platform,
        True,
        10,
    )
