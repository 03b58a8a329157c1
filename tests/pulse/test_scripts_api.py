"""A manager's script lists the cycles it may read and takes results as CSV: Kenji (leads
Platform) sees only cycles with released results for his team; Nadia (HR) sees every cycle with
its delivery; the CSV holds exactly the JSON's figures, hidden units included without them."""

import csv
import io
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from rest_framework.test import APIClient

from pulse.models import ReleasedUnit
from surveys.models import Cycle, CycleTeam

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo() -> dict:
    call_command("seed_demo", stdout=StringIO())
    olga = User.objects.create_user("olga.ivanova@example.com", "olga.ivanova@example.com", "pw")
    clients = {"anonymous": APIClient()}
    for name, user in (
        ("nadia", User.objects.get(username="nadia.petrova@example.com")),
        ("kenji", User.objects.get(username="kenji.tanaka@example.com")),
        ("olga", olga),
    ):
        clients[name] = APIClient()
        clients[name].force_authenticate(user)
    latest = Cycle.objects.filter(release__isnull=False).order_by("-closes_at").first()
    return {"clients": clients, "latest": latest}


def rows_of(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode())))


def test_a_managers_cycle_list_holds_only_released_cycles_with_a_team_of_theirs(demo) -> None:
    kenji = demo["clients"]["kenji"]
    listed = kenji.get("/api/v1/cycles/").json()
    led = set(
        CycleTeam.objects.filter(manager__user__username="kenji.tanaka@example.com").values_list(
            "cycle_id", flat=True
        )
    )
    released = set(Cycle.objects.filter(release__isnull=False).values_list("pk", flat=True))
    assert listed and {c["id"] for c in listed} == led & released
    assert [c["closes_at"] for c in listed] == sorted(
        (c["closes_at"] for c in listed), reverse=True
    )
    # The organisation's delivery counts are HR's.
    assert all("delivered_count" not in c and "invited_count" not in c for c in listed)
    # Each listed cycle's results answer the same script.
    assert kenji.get(f"/api/v1/results/?cycle={listed[0]['id']}").status_code == 200


def test_hr_lists_every_cycle_with_its_delivery(demo) -> None:
    listed = demo["clients"]["nadia"].get("/api/v1/cycles/").json()
    assert {c["id"] for c in listed} == set(Cycle.objects.values_list("pk", flat=True))
    assert all("delivered_count" in c for c in listed)


def test_a_login_without_a_team_lists_nothing_and_a_stranger_is_asked_to_log_in(demo) -> None:
    assert demo["clients"]["olga"].get("/api/v1/cycles/").json() == []
    assert demo["clients"]["anonymous"].get("/api/v1/cycles/").status_code == 401
    # A single cycle, and launching or closing, stay HR's.
    cycle = demo["latest"]
    assert demo["clients"]["kenji"].get(f"/api/v1/cycles/{cycle.pk}/").status_code == 403


@pytest.mark.parametrize("ask", ["accept", "format"])
def test_results_come_as_csv_with_exactly_the_jsons_figures(demo, ask: str) -> None:
    nadia, cycle = demo["clients"]["nadia"], demo["latest"]
    as_json = nadia.get(f"/api/v1/results/?cycle={cycle.pk}").json()
    if ask == "accept":
        response = nadia.get(f"/api/v1/results/?cycle={cycle.pk}", HTTP_ACCEPT="text/csv")
    else:
        response = nadia.get(f"/api/v1/results/?cycle={cycle.pk}&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f'filename="results-{cycle.period}.csv"' in response["Content-Disposition"]
    rows = rows_of(response.content)
    assert [row["name"] for row in rows] == [unit["name"] for unit in as_json]
    for row, unit in zip(rows, as_json, strict=True):
        assert row["status"] == unit["status"]
        assert row["index"] == ("" if unit["index"] is None else str(unit["index"]))
        for domain, figures in unit["domains"].items():
            assert row[f"domains.{domain}.score"] == str(figures["score"])
            assert row[f"domains.{domain}.respondents"] == str(figures["respondents"])
        if unit["status"] == "suppressed":
            # A hidden unit is listed, with its reason and no figure at all.
            assert row["reason"] and row["index"] == "" and row["enps"] == ""
            assert all(row[c] == "" for c in row if c.startswith("domains."))
    assert any(unit["status"] == "suppressed" for unit in as_json)


def test_a_managers_csv_holds_only_their_own_units(demo) -> None:
    kenji, cycle = demo["clients"]["kenji"], demo["latest"]
    rows = rows_of(kenji.get(f"/api/v1/results/?cycle={cycle.pk}&format=csv").content)
    names = {row["name"] for row in rows}
    assert "Platform" in names
    assert "Sales" not in names and "Engineering" not in names


def test_a_trend_comes_as_one_csv_row_per_survey(demo) -> None:
    nadia, cycle = demo["clients"]["nadia"], demo["latest"]
    unit = ReleasedUnit.objects.get(cycle=cycle, unit__name="Platform", status="released")
    as_json = nadia.get(f"/api/v1/results/{unit.unit_id}/trend").json()
    rows = rows_of(nadia.get(f"/api/v1/results/{unit.unit_id}/trend?format=csv").content)
    assert [(row["period"], row["index"]) for row in rows] == [
        (point["period"], str(point["index"])) for point in as_json["points"]
    ]


def test_the_cycle_list_comes_as_csv_too(demo) -> None:
    kenji = demo["clients"]["kenji"]
    as_json = kenji.get("/api/v1/cycles/").json()
    rows = rows_of(kenji.get("/api/v1/cycles/", HTTP_ACCEPT="text/csv").content)
    assert [int(row["id"]) for row in rows] == [c["id"] for c in as_json]


def test_a_refused_csv_request_gets_the_apis_json_error(demo) -> None:
    response = demo["clients"]["nadia"].get("/api/v1/results/?format=csv")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "cycle" in response.json()["fields"]
