"""Three releases of one team where everyone answers every time, but who answers the eNPS
question rotates (docs/anonymity.md, "Every combination of every survey's figures", and "the
count of each figure on its own").

Sales is the same twenty-five people in every survey, and all of them answer every statement
every time: eight reps (P), Quinn (Q) and sixteen agents (R). The recommendation question is
answered in October by the reps and Quinn (9), in November by Quinn and the agents (17), in
December by the reps and the agents (24). Every pair of surveys' eNPS counts differ by 7 or
more, Sales's against the company's too, so whoever answered it, no pair is a few apart; the
respondents and the statements' counts are the same throughout, and everyone answered. The
checks of every combination count people as invited, the same twenty-five. Yet October's net
promoters + November's - December's is twice Quinn's class; the insider's dumps taken while
each survey was open say who answered, and the skippers themselves know what they skipped
(as everyone answers as before, what each person skips is stable too).

Ada's company: twenty staff; Ben leads Sales. The staff and the two managers answer
everything in every survey.

A release that shares people with an earlier exact one is shown in whole points only when
everyone in it answered every statement, and everyone it holds was, in the earlier survey, in
a released group that everyone answered (pulse.trends.units_with_unsure_answerers): who
answered is then who was invited, and the attack finds the later figures coarse.
"""

import pytest

from tests.anonymity.test_across_surveys import Sheet, as_reader, run_survey
from tests.anonymity.test_regions_between_surveys import ENPS_CLASSES, nets
from tests.anonymity.test_three_surveys_rotating_answerers import AGENTS, OTHERS, QUINN, REPS
from tests.org_builder import BuiltOrg, build_org

pytestmark = pytest.mark.django_db


@pytest.fixture
def org() -> BuiltOrg:
    return build_org(
        """
        Ada Lovelace (Company)
          20 staff
          Ben Carter (Sales)
            8 reps
            Quinn Solo
            16 agents
        """
    )


def without_enps(sheet: Sheet) -> Sheet:
    return Sheet(sheet.value, None, sheet.follow_through)


def three_releases_of_sales(client, org: BuiltOrg) -> list[dict]:
    """Sales as Ben reads it in October, November and December."""
    reps = [p for p in org.reports_of("Ben Carter") if p.name.startswith("Rep")]
    agents = [p for p in org.reports_of("Ben Carter") if p.name.startswith("Agent")]
    quinn = org["Quinn Solo"]
    outside = {p: OTHERS for p in org.everyone if p not in reps + agents + [quinn]}
    p = dict(zip(reps, REPS, strict=True))
    r = dict(zip(agents, AGENTS, strict=True))
    q = {quinn: QUINN}

    def skipping(group: dict) -> dict:
        return {person: without_enps(sheet) for person, sheet in group.items()}

    october = run_survey(client, "October", {**outside, **p, **q, **skipping(r)})
    november = run_survey(client, "November", {**outside, **skipping(p), **q, **r})
    december = run_survey(client, "December", {**outside, **p, **skipping(q), **r})
    ben = org["Ben Carter"]
    return [as_reader(ben, survey, "Sales") for survey in (october, november, december)]


def test_a_manager_reads_one_persons_enps_from_three_releases_whose_enps_skippers_rotate(
    client, org
) -> None:
    reads = three_releases_of_sales(client, org)
    for read in reads:
        assert read["status"] == "released" and read["enps"] is not None, read
    assert [read["respondents"] for read in reads] == [25, 25, 25]
    assert [read["enps_respondents"] for read in reads] == [9, 17, 24]

    oct_, nov, dec = reads
    classes = {
        (a + b - c) // 2
        for a in nets(oct_)
        for b in nets(nov)
        for c in nets(dec)
        if (a + b - c) % 2 == 0 and (a + b - c) // 2 in ENPS_CLASSES
    }
    assert -1 in classes, "the attack is sound"
    # The promise: one person's answer is bounded no better than the whole scale.
    assert classes == set(ENPS_CLASSES), (
        f"Quinn is a {' or '.join(ENPS_CLASSES[c] for c in sorted(classes))}, at precisions "
        f"{[r['precision'] for r in reads]}"
    )
