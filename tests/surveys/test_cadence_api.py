"""HR configures cadences through the API; impossible settings are refused with a reason."""

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
    assert manager_client.get("/api/v1/cycles/").status_code == 403
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
