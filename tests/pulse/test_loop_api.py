"""The loop's API, scoped like the results: Kenji writes Platform's focus; Daniel (above him)
and Nadia (HR) read it; nobody else learns that it exists."""

import datetime

import pytest
from django.utils import timezone

from surveys.models import Focus

pytestmark = pytest.mark.django_db


def focus_body(**overrides: object) -> dict:
    due = (timezone.localdate() + datetime.timedelta(days=14)).isoformat()
    return {
        "domain": "risk",
        "note": "",
        "commitments": [
            {"text": "Share one of my own mistakes at every team meeting", "due_on": due},
            {"text": "Blameless review after each incident"},
        ],
        **overrides,
    }


def test_the_manager_writes_shares_and_updates_their_units_focus_through_the_api(demo) -> None:
    kenji, platform = demo["clients"]["kenji"], demo["units"]["Platform"].unit_id
    before = kenji.get(f"/api/v1/focus/{platform}").json()
    assert before["domain"] is None and before["can_edit"] is True
    assert before["proposed_domain"] in {"risk", "conversation", "help", "inclusivity"}

    saved = kenji.put(f"/api/v1/focus/{platform}", focus_body(), content_type="application/json")
    assert saved.status_code == 200, saved.json()
    assert [c["status"] for c in saved.json()["commitments"]] == ["planned", "planned"]

    shared = kenji.post(f"/api/v1/focus/{platform}/share")
    assert shared.status_code == 200 and shared.json()["shared_at"] is not None
    done = kenji.patch(
        f"/api/v1/focus/{platform}/commitments/2",
        {"status": "done"},
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["status"] == "done"

    listed = demo["clients"]["daniel"].get(f"/api/v1/focus/?cycle={demo['cycle'].pk}").json()
    platform_entry = next(entry for entry in listed if entry["unit"] == platform)
    assert platform_entry["domain"] == "risk" and platform_entry["can_edit"] is False
    assert "Sales" not in {entry["name"] for entry in listed}


def test_bad_input_gets_one_error_per_field_and_saves_nothing(demo) -> None:
    kenji, platform = demo["clients"]["kenji"], demo["units"]["Platform"].unit_id
    body = focus_body(
        domain="morale",
        commitments=[
            {"text": "x", "due_on": "2020-01-01"},
            {"text": " "},
            {"text": "a"},
            {"text": "b"},
        ],
    )
    refused = kenji.put(f"/api/v1/focus/{platform}", body, content_type="application/json")
    assert refused.status_code == 400
    error = refused.json()
    assert error["code"] and error["message"]
    assert "domain" in error["fields"]
    assert not Focus.objects.filter(cycle=demo["cycle"]).exists()
    too_many = kenji.put(
        f"/api/v1/focus/{platform}",
        focus_body(commitments=[{"text": f"Thing {n}"} for n in range(4)]),
        content_type="application/json",
    )
    assert too_many.status_code == 400 and "commitments" in too_many.json()["fields"]


def test_other_viewers_cannot_change_a_focus_and_strangers_cannot_see_one(demo) -> None:
    clients, platform = demo["clients"], demo["units"]["Platform"].unit_id
    clients["kenji"].put(f"/api/v1/focus/{platform}", focus_body(), content_type="application/json")
    seen = {
        viewer: clients[viewer].get(f"/api/v1/focus/{platform}").status_code for viewer in clients
    }
    assert seen == {"anonymous": 401, "nadia": 200, "daniel": 200, "kenji": 200, "olga": 404}
    sales = demo["units"]["Sales"].unit_id
    assert clients["kenji"].get(f"/api/v1/focus/{sales}").status_code == 404
    for viewer in ("nadia", "daniel", "olga"):
        put = clients[viewer].put(
            f"/api/v1/focus/{platform}", focus_body(domain="help"), content_type="application/json"
        )
        assert put.status_code == 404
        assert clients[viewer].post(f"/api/v1/focus/{platform}/share").status_code == 404
    stored = Focus.objects.get(cycle=demo["cycle"])
    assert stored.domain == "risk" and stored.shared_at is None


def test_hr_reads_the_follow_through_list_as_json_and_csv_and_managers_do_not(demo) -> None:
    clients, cycle = demo["clients"], demo["cycle"]
    listed = clients["nadia"].get(f"/api/v1/follow-through/?cycle={cycle.pk}")
    assert listed.status_code == 200
    assert {row["name"] for row in listed.json()} == set(demo["units"])
    csv = clients["nadia"].get(f"/api/v1/follow-through/?cycle={cycle.pk}&format=csv")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert len(csv.content.decode().strip().splitlines()) == 1 + len(demo["units"])
    bad = clients["nadia"].get(f"/api/v1/follow-through/?cycle={cycle.pk}&below=low&format=csv")
    assert bad.status_code == 400 and "below" in bad.json()["fields"]
    assert clients["daniel"].get(f"/api/v1/follow-through/?cycle={cycle.pk}").status_code == 404


def test_the_focus_list_costs_the_same_number_of_queries_for_any_number_of_units(
    demo, django_assert_max_num_queries
) -> None:
    earlier = Focus.objects.order_by("cycle__closes_at").first()
    assert earlier is not None
    with django_assert_max_num_queries(12):
        listed = demo["clients"]["nadia"].get(f"/api/v1/focus/?cycle={earlier.cycle_id}")
    assert any(entry["domain"] and entry["shared_at"] for entry in listed.json())
