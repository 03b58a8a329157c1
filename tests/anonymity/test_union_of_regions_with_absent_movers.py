"""Two surveys of four teams that pass people along, where those who leave two of the teams
are k, but only one of them answered before leaving (docs/anonymity.md, "Every combination of
two surveys' figures": "Groups are counted as invited"; who answered "is bounded pair by pair").

The cut of the graph of pieces counts people as invited. In October Cleo's East is five
gammas, Quinn and four interns; the interns are new and do not answer in October. Before
November Quinn and the interns move to South: five people leave North and East together, a
cut of k, so no combination is found to describe a few. But four of the five did not answer:
October's North + East less November's North + East is Quinn's answer alone. Every pair of a
team then and a team now that share people differs by k or more answerers whoever answered,
and so do the four teams taken together (one of the six phis in West also sits October out).

Ada's company: six staff; Ben leads North (five alphas, six betas), Cleo East, Dora South
(five deltas, six epsilons), Eve West (six phis). Before November the betas move to East,
Quinn and the interns to South, the epsilons to West. Everyone else answers both surveys, and
as before; the insider's dumps taken while each survey was open say who answered.

A release that shares people with an earlier exact one is shown in whole points only when
everyone in it answered every statement, and everyone it holds was, in the earlier survey, in
a released group that everyone answered (pulse.trends.units_with_unsure_answerers): who
answered is then who was invited, and the attack finds the later figures coarse.
"""

import pytest

from surveys.instrument import SCALE_VALUES
from teams.team_tree import sync_teams
from tests.anonymity.test_across_surveys import Sheet, as_reader, rescaled, run_survey
from tests.anonymity.test_regions_between_surveys import ENPS_CLASSES, nets, score_sum_bounds
from tests.anonymity.test_union_of_regions_between_surveys import ENPS, VALUES, group, moved
from tests.org_builder import BuiltOrg, build_org

pytestmark = pytest.mark.django_db

QUINN = Sheet(7, 2, None)  # what the attack reads: agrees throughout, a detractor


@pytest.fixture
def org() -> BuiltOrg:
    return build_org(
        """
        Ada Lovelace (Company)
          6 staff
          Ben Carter (North)
            5 alphas
            6 betas
          Cleo Turner (East)
            5 gammas
            Quinn Solo
            4 interns
          Dora New (South)
            5 deltas
            6 epsilons
          Eve Stone (West)
            6 phis
        """
    )


def test_a_ceo_reads_one_person_from_two_teams_whose_other_leavers_had_not_answered(
    client, org
) -> None:
    sheets = {person: Sheet(5, 8, None) for person in org.everyone}
    for word in ("Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Phi", "Intern"):
        for person, value, enps in zip(group(org, word), VALUES, ENPS, strict=False):
            sheets[person] = Sheet(value, enps, None)
    quinn = org["Quinn Solo"]
    sheets[quinn] = QUINN
    interns = group(org, "Intern")
    absent = {*interns, group(org, "Phi")[0]}

    october = run_survey(client, "October", {p: s for p, s in sheets.items() if p not in absent})
    moved(group(org, "Beta"), org["Cleo Turner"])
    moved([quinn, *interns], org["Dora New"])
    moved(group(org, "Epsilon"), org["Eve Stone"])
    sync_teams()
    november = run_survey(client, "November", sheets)

    ada = org["Ada Lovelace"]
    reads = {
        (month, team): as_reader(ada, survey, team)
        for month, survey in (("october", october), ("november", november))
        for team in ("North", "East")
    }
    for read in reads.values():
        assert read["status"] == "released" and read["enps"] is not None, read
    north_then, east_then = reads[("october", "North")], reads[("october", "East")]
    north_now, east_now = reads[("november", "North")], reads[("november", "East")]
    assert [r["respondents"] for r in (north_then, east_then, north_now, east_now)] == [
        11,
        6,
        5,
        11,
    ]

    signed = ((north_then, 1), (east_then, 1), (north_now, -1), (east_now, -1))
    classes = {
        total
        for a in nets(north_then)
        for b in nets(east_then)
        for c in nets(north_now)
        for d in nets(east_now)
        if (total := a + b - c - d) in ENPS_CLASSES
    }
    assert -1 in classes, "the attack is sound"

    domain = next(iter(north_then["domains"]))
    low, high = score_sum_bounds(signed, domain)
    values = {v for v in SCALE_VALUES if low - 1e-9 <= rescaled(v) <= high + 1e-9}
    assert QUINN.value in values, "the attack is sound"

    # The promise: one person's answer is bounded no better than the whole scale.
    assert classes == set(ENPS_CLASSES) and values == set(SCALE_VALUES), (
        f"Quinn is a {' or '.join(ENPS_CLASSES[c] for c in sorted(classes))} and answered "
        f"{sorted(values)} on {domain}, at precisions "
        f"{[r['precision'] for r, _ in signed]}"
    )
