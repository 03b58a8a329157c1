"""The loop after the results, on the demo company: Kenji leads Platform, Daniel leads
Engineering above it, Nadia is HR, Olga has a login and no team."""

import datetime
from html import escape

import pytest
from django.utils import timezone

from pulse.templatetags.figures import shown
from surveys.models import Commitment, CommitmentStatus, Cycle, Focus

pytestmark = pytest.mark.django_db


def tomorrow() -> str:
    return (timezone.localdate() + datetime.timedelta(days=1)).isoformat()


def focus_form(**overrides: str) -> dict[str, str]:
    return {
        "domain": "conversation",
        "text_1": "Ask for the strongest argument against before each decision",
        "due_1": tomorrow(),
        "text_2": "Monthly retro where I speak last",
        "note": "",
        **overrides,
    }


def test_a_manager_chooses_a_focus_writes_two_commitments_and_shares_them(demo) -> None:
    kenji, platform = demo["clients"]["kenji"], demo["units"]["Platform"].unit_id
    page = kenji.get(f"/dashboard/{platform}/focus/")
    assert page.status_code == 200 and "Proposed:" in page.text

    saved = kenji.post(f"/dashboard/{platform}/focus/", focus_form())
    assert saved.status_code == 302
    dashboard = kenji.get(f"/dashboard/?cycle={demo['cycle'].pk}&unit={platform}").text
    assert "Chosen focus: Open conversation" in dashboard and "not shared yet" in dashboard
    assert "Monthly retro where I speak last" in dashboard

    assert kenji.post(f"/dashboard/{platform}/focus/share/").status_code == 302
    focus = Focus.objects.get(team__name="Platform", cycle=demo["cycle"])
    assert focus.shared_at is not None
    assert [c.text for c in focus.commitments.order_by("position")] == [
        "Ask for the strongest argument against before each decision",
        "Monthly retro where I speak last",
    ]
    dashboard = kenji.get(f"/dashboard/?cycle={demo['cycle'].pk}&unit={platform}").text
    assert "shared " in dashboard and "Share with the team" not in dashboard


def test_a_commitment_due_in_the_past_is_refused_next_to_its_field_and_nothing_is_saved(
    demo,
) -> None:
    kenji, platform = demo["clients"]["kenji"], demo["units"]["Platform"].unit_id
    refused = kenji.post(f"/dashboard/{platform}/focus/", focus_form(due_1="2020-01-01"))
    assert refused.status_code == 400
    assert "which has passed" in refused.text
    assert not Focus.objects.filter(cycle=demo["cycle"]).exists()


def test_four_commitments_cannot_be_written_and_an_empty_focus_cannot_be_shared(demo) -> None:
    kenji, platform = demo["clients"]["kenji"], demo["units"]["Platform"].unit_id
    empty = kenji.post(f"/dashboard/{platform}/focus/", focus_form(text_1="", due_1="", text_2=""))
    assert empty.status_code == 400 and "Write one to 3 commitments" in empty.text
    assert kenji.post(f"/dashboard/{platform}/focus/share/").status_code == 404


def test_the_manager_moves_a_commitment_to_done_and_hr_sees_it_counted(demo) -> None:
    kenji, platform = demo["clients"]["kenji"], demo["units"]["Platform"].unit_id
    kenji.post(f"/dashboard/{platform}/focus/", focus_form())
    first = Commitment.objects.get(
        focus__team__name="Platform", focus__cycle=demo["cycle"], position=1
    )
    kenji.post(f"/dashboard/commitments/{first.pk}/status/", {"status": "done"})
    assert Commitment.objects.get(pk=first.pk).status == CommitmentStatus.DONE
    page = demo["clients"]["nadia"].get(f"/hr/follow-through/?cycle={demo['cycle'].pk}").text
    assert "1 of 2" in page


def test_another_manager_cannot_read_or_change_a_focus_outside_their_teams(demo) -> None:
    kenji, clients = demo["clients"]["kenji"], demo["clients"]
    platform, sales = demo["units"]["Platform"].unit_id, demo["units"]["Sales"].unit_id
    kenji.post(f"/dashboard/{platform}/focus/", focus_form())
    commitment = Commitment.objects.get(
        focus__team__name="Platform", focus__cycle=demo["cycle"], position=1
    )

    # Kenji cannot open Sales at all; Daniel, above Platform, reads it but does not write it.
    assert kenji.get(f"/dashboard/{sales}/focus/").status_code == 404
    assert kenji.get(f"/dashboard/{sales}/summary/").status_code == 404
    assert clients["daniel"].get(f"/dashboard/{platform}/summary/").status_code == 200
    for viewer in ("daniel", "olga", "nadia"):
        assert clients[viewer].get(f"/dashboard/{platform}/focus/").status_code == 404
        assert clients[viewer].post(f"/dashboard/{platform}/focus/share/").status_code == 404
        changed = clients[viewer].post(
            f"/dashboard/commitments/{commitment.pk}/status/", {"status": "dropped"}
        )
        assert changed.status_code == 404
    assert Commitment.objects.get(pk=commitment.pk).status == CommitmentStatus.PLANNED
    assert Focus.objects.get(team__name="Platform", cycle=demo["cycle"]).shared_at is None


def test_the_team_summary_shows_the_released_figures_and_the_guide_and_nothing_hidden(
    demo,
) -> None:
    kenji, platform = demo["clients"]["kenji"], demo["units"]["Platform"]
    page = kenji.get(f"/dashboard/{platform.unit_id}/summary/").text
    for domain in platform.figures["domains"].values():
        assert f"<td>{domain['score']}</td>" in page
    assert "Questions for us" in page
    # Only the unit's own figures: no team below it, no comment, no per-question numbers.
    assert "Comments" not in page and "Teams below" not in page


def test_a_summary_of_a_suppressed_unit_says_why_and_shows_no_figure(demo) -> None:
    nadia = demo["clients"]["nadia"]
    hidden = next((r for r in demo["units"].values() if r.status == "suppressed"), None)
    if hidden is None:
        pytest.skip("the demo has no suppressed unit in its latest release")
    page = nadia.get(f"/dashboard/{hidden.unit_id}/summary/").text
    assert "Our four areas" not in page and "answered" not in page


def test_hr_lists_every_unit_in_scope_weakest_first_and_the_csv_says_the_same(demo) -> None:
    nadia, cycle = demo["clients"]["nadia"], demo["cycle"]
    page = nadia.get(f"/hr/follow-through/?cycle={cycle.pk}")
    assert page.status_code == 200
    for name in demo["units"]:
        assert escape(name) in page.text
    csv = nadia.get(f"/hr/follow-through/?cycle={cycle.pk}&format=csv")
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.getvalue().decode().strip().splitlines()
    assert len(lines) == 1 + len(demo["units"])
    listed = nadia.get(f"/api/v1/follow-through/?cycle={cycle.pk}").json()
    indexes = [row["index"] for row in listed if row["index"] is not None]
    assert indexes == sorted(indexes), "lowest index first"
    # The CSV in the same order, each index as the page shows it (a coarse one as its range).
    assert [line.split(",")[:2] for line in lines[1:]] == [
        [row["name"], "" if row["index"] is None else shown(row["index"], row["precision"])]
        for row in listed
    ]


def test_hr_filters_units_below_a_score_and_units_without_a_focus(demo) -> None:
    nadia, cycle, units = demo["clients"]["nadia"], demo["cycle"], demo["units"]
    demo["clients"]["kenji"].post(f"/dashboard/{units['Platform'].unit_id}/focus/", focus_form())
    every = nadia.get(f"/api/v1/follow-through/?cycle={cycle.pk}").json()
    below = nadia.get(f"/api/v1/follow-through/?cycle={cycle.pk}&below=60").json()
    assert [row["name"] for row in below] == [
        row["name"] for row in every if row["index"] is not None and row["index"] < 60
    ]
    assert 0 < len(below) < len(every)
    without = (
        nadia.get(f"/hr/follow-through/?cycle={cycle.pk}&without_focus_days=0&format=csv")
        .getvalue()
        .decode()
    )
    names = {line.split(",")[0] for line in without.strip().splitlines()[1:]}
    assert "Platform" not in names and len(names) == len(units) - 1
    # Released today: no unit has gone a week without a focus yet.
    week = nadia.get(f"/hr/follow-through/?cycle={cycle.pk}&without_focus_days=7&format=csv")
    assert week.getvalue().decode().strip().splitlines()[1:] == []


def test_only_hr_opens_the_follow_through_page(demo) -> None:
    for viewer, expected in (("daniel", 404), ("kenji", 404), ("olga", 404), ("anonymous", 302)):
        assert demo["clients"][viewer].get("/hr/follow-through/").status_code == expected


def test_the_demo_shows_a_shared_focus_and_its_progress_on_the_next_results(demo) -> None:
    earlier = Cycle.objects.filter(release__isnull=False).order_by("closes_at").first()
    assert earlier is not None
    shared = Focus.objects.filter(cycle=earlier, shared_at__isnull=False)
    assert shared.filter(team__name="Engineering").exists()
    assert not Focus.objects.filter(team__name="Sales").exists()
    engineering = demo["units"]["Engineering"].unit_id
    page = demo["clients"]["daniel"].get(f"/dashboard/?cycle={demo['cycle'].pk}&unit={engineering}")
    assert f"Since the focus after {earlier.period}" in page.text
    assert "Done" in page.text and "Doing" in page.text
    hr = demo["clients"]["nadia"].get(f"/hr/follow-through/?cycle={earlier.pk}").text
    assert "1 of 2" in hr and "none yet" in hr


def give_follow_through(demo, name: str, figure: dict | None, hidden: str = "") -> Focus:
    """As a release of a cycle that asked the team about its shared focus stores it."""
    earlier = Cycle.objects.filter(release__isnull=False).order_by("closes_at").first()
    focus = Focus.objects.get(team__name=name, cycle=earlier)
    released = demo["units"][name]
    released.unit.focus = focus
    released.unit.save(update_fields=["focus"])
    if figure is None:
        released.figures.pop("follow_through", None)
    else:
        released.figures["follow_through"] = figure
    if hidden:
        released.figures.setdefault("hidden", {})["follow_through"] = hidden
    released.save(update_fields=["figures"])
    return focus


def test_the_follow_through_score_shows_on_the_dashboard_and_on_hrs_page(demo) -> None:
    figure = {"score": 64, "favorable": 58, "respondents": 9, "spread": 12.0}
    released = demo["units"]["Engineering"]
    released.figures["precision"] = 1  # in whole points: test_coarse_ranges has the steps
    focus = give_follow_through(demo, "Engineering", figure)
    engineering = released.unit_id
    page = demo["clients"]["daniel"].get(f"/dashboard/?cycle={demo['cycle'].pk}&unit={engineering}")
    assert '<span class="big-inline">64</span>' in page.text
    hr = demo["clients"]["nadia"].get(f"/hr/follow-through/?cycle={focus.cycle_id}&format=csv")
    row = next(
        line for line in hr.getvalue().decode().splitlines() if line.startswith("Engineering")
    )
    assert ",64," in row and demo["cycle"].period in row


def test_a_hidden_follow_through_score_says_why_and_shows_no_number(demo) -> None:
    give_follow_through(demo, "Engineering", None, hidden="too_few_responses")
    engineering = demo["units"]["Engineering"].unit_id
    page = demo["clients"]["daniel"].get(f"/dashboard/?cycle={demo['cycle'].pk}&unit={engineering}")
    assert "big-inline" not in page.text
    assert 'Follow-through:</strong> <span class="suppressed-cell">' in page.text
