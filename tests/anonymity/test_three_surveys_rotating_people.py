"""Three releases of one team, each pair at least k people apart, added and subtracted together
(docs/anonymity.md, "Every combination of two surveys' figures" and "Known gaps").

When a team is P and Q in October, Q and R in November and P and R in December, every pair of
releases differs by P and R, Q and R, or P and Q: at least k people each time, everyone
answered, and the respondent counts differ by 0 or at least k, so no two surveys' figures
together describe a few people. Yet October + November - December is twice Q: with P and R six
people each and Q one person, the three releases give Q's answer.

Ada's company: six staff; Ben leads Sales, Cleo leads Support. Sales is six reps (P) and Quinn
(Q) in October; before November the six reps move to Support and six agents (R) come over;
before December the reps come back and Quinn moves to Support. Six technicians stay in Support
throughout. Everyone answers every survey, and as they did before (the assumption every attack
across surveys rests on, and the one the rule is built against).

Every survey's exact figures are checked together, so December is withheld: shown coarser,
its step's edges would still say which side of them the figure fell on, beside October and
November in whole points (as in test_coarse_step_edges.py), and a step covers k-1 people
once, where this combination holds Quinn twice.
"""

import pytest

from surveys.instrument import SCALE_VALUES
from teams.models import Person
from teams.team_tree import sync_teams
from tests.anonymity.test_across_surveys import Sheet, as_reader, rescaled, run_survey
from tests.anonymity.test_regions_between_surveys import (
    ENPS_CLASSES,
    nets,
    score_sum_bounds,
    withheld,
)
from tests.org_builder import BuiltOrg, build_org

pytestmark = pytest.mark.django_db

QUINN = Sheet(2, 4, None)  # what the attack reads: disagrees throughout, a detractor
REPS = [Sheet(v, e, None) for v, e in ((6, 9), (5, 10), (7, 8), (4, 9), (6, 7), (5, 9))]
AGENTS = [Sheet(v, e, None) for v, e in ((5, 6), (6, 9), (3, 10), (7, 9), (5, 8), (6, 10))]
TECHS = [Sheet(v, e, None) for v, e in ((4, 9), (6, 7), (5, 10), (7, 6), (5, 9), (6, 8))]
OTHERS = Sheet(5, 8, None)  # the staff and the three managers


@pytest.fixture
def org() -> BuiltOrg:
    return build_org(
        """
        Ada Lovelace (Company)
          6 staff
          Ben Carter (Sales)
            6 reps
            Quinn Solo
          Cleo Turner (Support)
            6 agents
            6 techs
        """
    )


def moved(people: list[Person], manager: Person) -> None:
    Person.objects.filter(pk__in=[p.pk for p in people]).update(manager=manager)
    sync_teams()


def three_releases_of_sales(client, org: BuiltOrg) -> list[dict]:
    """Sales as Ben reads it in October, November and December."""
    ben, cleo = org["Ben Carter"], org["Cleo Turner"]
    reps = [p for p in org.reports_of("Ben Carter") if p.name.startswith("Rep")]
    agents = [p for p in org.reports_of("Cleo Turner") if p.name.startswith("Agent")]
    techs = [p for p in org.reports_of("Cleo Turner") if p.name.startswith("Tech")]
    quinn = org["Quinn Solo"]
    sheets = {
        **{p: OTHERS for p in org.everyone},
        **dict(zip(reps, REPS, strict=True)),
        **dict(zip(agents, AGENTS, strict=True)),
        **dict(zip(techs, TECHS, strict=True)),
        quinn: QUINN,
    }

    october = run_survey(client, "October", sheets)  # Sales: reps + Quinn
    moved(reps, cleo)
    moved(agents, ben)
    november = run_survey(client, "November", sheets)  # Sales: Quinn + agents
    moved(reps, ben)
    moved([quinn], cleo)
    december = run_survey(client, "December", sheets)  # Sales: reps + agents
    return [as_reader(ben, survey, "Sales") for survey in (october, november, december)]


def test_the_third_release_is_withheld(client, org) -> None:
    reads = three_releases_of_sales(client, org)
    assert [read["precision"] for read in reads[:2]] == [1, 1], "no two surveys give Quinn away"
    assert withheld(reads[2]), "October + November - December is twice Quinn"


def test_a_manager_reads_one_person_from_three_releases_each_pair_k_or_more_apart(
    client, org
) -> None:
    reads = three_releases_of_sales(client, org)
    assert [read["eligible"] for read in reads] == [7, 7, 12]
    # The promise: December is withheld, so there is nothing to subtract.
    if withheld(reads[2]):
        return
    for read in reads:
        assert read["status"] == "released" and read["enps"] is not None, read

    # eNPS: October's net promoters + November's - December's is twice Quinn's class.
    oct_, nov, dec = reads
    classes = {
        (a + b - c) // 2
        for a in nets(oct_)
        for b in nets(nov)
        for c in nets(dec)
        if (a + b - c) % 2 == 0 and (a + b - c) // 2 in ENPS_CLASSES
    }
    assert -1 in classes, "the attack is sound"

    # A domain score the same way: twice Quinn's value is 7 Oct + 7 Nov - 12 Dec, each shown
    # score off by up to half its step.
    domain = next(iter(oct_["domains"]))
    low, high = score_sum_bounds(((oct_, 1), (nov, 1), (dec, -1)), domain)
    values = {v for v in SCALE_VALUES if low / 2 - 1e-9 <= rescaled(v) <= high / 2 + 1e-9}
    assert QUINN.value in values, "the attack is sound"

    # The promise: one person's answer is bounded no better than the whole scale.
    assert classes == set(ENPS_CLASSES) and values == set(SCALE_VALUES), (
        f"Quinn is a {' or '.join(ENPS_CLASSES[c] for c in sorted(classes))} and answered "
        f"{sorted(values)} on {domain}, at precisions {[r['precision'] for r in reads]}"
    )
