"""A release in coarse steps is shown as the ranges its rounded figures stand for: a score
rounded to 0 in steps of 100 is "0 to 49", never a bare 0 a manager would read as the worst
possible team. On the demo: Kenji leads Platform, inside Daniel's Engineering; Nadia is HR."""

import pytest

from pulse.models import ReleasedUnit
from pulse.templatetags.figures import EN_DASH as TO
from pulse.templatetags.figures import MINUS
from surveys.models import Focus

pytestmark = pytest.mark.django_db


def coarsen(release: ReleasedUnit, step: int, scores: dict[str, int], index: int, enps: int):
    figures = release.figures
    figures["precision"] = step
    for domain, score in scores.items():
        figures["domains"][domain]["score"] = score
        figures["domains"][domain]["favorable"] = score
    figures["index"], figures["enps"] = index, enps
    release.save(update_fields=["figures"])


SCORES = {"risk": 0, "conversation": 100, "help": 100, "inclusivity": 100}


def test_coarse_figures_read_as_ranges_on_the_dashboard_the_summary_and_the_heatmap(
    demo,
) -> None:
    platform = demo["units"]["Platform"]
    coarsen(platform, 100, SCORES, index=100, enps=-100)
    cycle = demo["cycle"].pk

    kenji = demo["clients"]["kenji"]
    page = kenji.get(f"/dashboard/?cycle={cycle}&unit={platform.unit_id}").text
    assert "Scores are shown as ranges 100 points wide (eNPS 200)" in page
    assert (
        f"<td>0{TO}49</td>" in page
        and f"<td>50{TO}100</td>" in page
        and f"<td>0{TO}49%</td>" in page
    )
    assert f'<span class="big">50{TO}100</span>' in page  # the index
    assert f'<span class="big">{MINUS}100 to {MINUS}1</span>' in page  # eNPS
    assert "<td>0</td>" not in page

    summary = kenji.get(f"/dashboard/{platform.unit_id}/summary/").text
    assert (
        f"<td>0{TO}49</td>" in summary
        and f'<span class="big">{MINUS}100 to {MINUS}1</span>' in summary
    )

    # The organisation's own figure beside each domain is a range too when its release is.
    company = demo["units"]["Company"]
    coarsen(company, 10, {**SCORES, "risk": 60}, index=70, enps=10)
    page = kenji.get(f"/dashboard/?cycle={cycle}&unit={platform.unit_id}").text
    assert f"<td>55{TO}64</td>" in page

    daniel = demo["clients"]["daniel"]
    engineering = daniel.get(f"/dashboard/?cycle={cycle}").text
    assert f'<td data-label="Risk and failure">0{TO}49</td>' in engineering  # Platform, a row below

    heatmap = demo["clients"]["nadia"].get(f"/hr/heatmap/?cycle={cycle}&q=Platform").text
    assert "In ranges 100 points wide" in heatmap and f">0{TO}49</td>" in heatmap


def test_whole_point_figures_are_shown_as_they_are(demo) -> None:
    platform = demo["units"]["Platform"]
    coarsen(platform, 1, {**SCORES, "risk": 37}, index=84, enps=-12)
    page = demo["clients"]["kenji"].get(f"/dashboard/?unit={platform.unit_id}").text
    assert "<td>37</td>" in page and '<span class="big">84</span>' in page
    assert '<span class="big">-12</span>' in page and "ranges" not in page


def test_coarse_enps_steps_lie_on_its_scale_and_all_promoters_is_no_step_of_its_own() -> None:
    from pulse.release import ENPS_ORIGIN, rounded

    # eNPS in steps of 200 (a group of 5 to 7): two halves of the scale, never 200.
    assert {rounded(value, 200, origin=ENPS_ORIGIN) for value in (-100, -1)} == {-100}
    assert {rounded(value, 200, origin=ENPS_ORIGIN) for value in (0, 99, 100)} == {100}
    # In steps of 40, every step between -100 and 100; 100 is not rounded up to 120.
    assert {rounded(value, 40, origin=ENPS_ORIGIN) for value in range(-100, 101)} == {
        -100,
        -60,
        -20,
        20,
        60,
        100,
    }


def test_the_trend_the_focus_panel_and_hrs_follow_through_list_read_coarse_figures_as_ranges(
    demo,
) -> None:
    """Everywhere a released figure is repeated (the index trend under the dashboard, the focus
    domain's scores and the follow-through score in the panel after the results, HR's
    follow-through page, its CSV and its API) it reads as its release's range."""
    engineering = demo["units"]["Engineering"]
    earlier = engineering.trend_from.get()
    focus = Focus.objects.get(team=engineering.unit.team, cycle=earlier.cycle)
    coarsen(engineering, 20, {**SCORES, focus.domain: 40}, index=60, enps=20)
    engineering.figures["follow_through"] = {"score": 80, "favorable": 80, "respondents": 9}
    engineering.save(update_fields=["figures"])
    coarsen(earlier, 50, {**SCORES, focus.domain: 50}, index=100, enps=0)
    engineering.unit.focus = focus
    engineering.unit.save(update_fields=["focus"])
    cycle = demo["cycle"]

    daniel = demo["clients"]["daniel"]
    page = daniel.get(f"/dashboard/?cycle={cycle.pk}&unit={engineering.unit_id}").text
    trend = page[page.index("index-trend-title") :]
    assert f"<td>75{TO}100</td>" in trend and f"<td>50{TO}69</td>" in trend  # the two indexes
    loop = page[page.index('id="loop-title"') :]
    assert f'<span class="big-inline">70{TO}89</span>' in loop  # follow-through, steps of 20
    assert f"<td>25{TO}74</td>" in loop and f"<td>30{TO}49</td>" in loop  # the focus domain

    nadia = demo["clients"]["nadia"]
    hr = nadia.get(f"/hr/follow-through/?cycle={earlier.cycle_id}&q=Engineering").text
    assert f'<td data-label="Index">75{TO}100</td>' in hr
    assert f"70{TO}89 <span" in hr
    csv = nadia.get(f"/hr/follow-through/?cycle={earlier.cycle_id}&format=csv").getvalue()
    row = next(line for line in csv.decode().splitlines() if line.startswith("Engineering,"))
    assert row.startswith(f"Engineering,75{TO}100,") and f",70{TO}89," in row

    listed = nadia.get(f"/api/v1/follow-through/?cycle={earlier.cycle_id}").json()
    api_row = next(r for r in listed if r["name"] == "Engineering")
    assert (api_row["index"], api_row["precision"]) == (100, 50)
    assert (api_row["follow_through"], api_row["follow_through_precision"]) == (80, 20)
    points = nadia.get(f"/api/v1/results/{engineering.unit_id}/trend").json()["points"]
    assert [(p["index"], p["precision"]) for p in points] == [(100, 50), (60, 20)]


def test_hrs_employees_and_customers_table_reads_a_coarse_index_as_its_range(demo) -> None:
    platform = demo["units"]["Platform"]
    coarsen(platform, 100, SCORES, index=100, enps=-100)
    nadia = demo["clients"]["nadia"]
    page = nadia.get(f"/hr/employees-and-customers/?cycle={demo['cycle'].pk}&x=index").text
    assert '<th scope="row">Platform</th>' in page, "Platform is linked to customer figures"
    row = page[page.index('<th scope="row">Platform</th>') :].split("</tr>")[0]
    assert f"<td>50{TO}100</td>" in row
