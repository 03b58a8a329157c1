"""A release in coarse steps is shown as the ranges its rounded figures stand for: a score
rounded to 0 in steps of 100 is "0 to 49", never a bare 0 a manager would read as the worst
possible team. On the demo: Kenji leads Platform, inside Daniel's Engineering; Nadia is HR."""

import pytest

from pulse.models import ReleasedUnit
from pulse.templatetags.figures import EN_DASH as TO
from pulse.templatetags.figures import MINUS

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
