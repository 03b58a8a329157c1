"""Three releases of one team whose people never change, but whose answerers rotate
(docs/anonymity.md, "Every combination of every survey's figures": "Both checks count people
as invited; who answered is bounded pair by pair").

Sales is the same twenty-five people in every survey: eight reps (P), Quinn (Q) and sixteen
agents (R). In October the reps and Quinn answer (9), in November Quinn and the agents (17),
in December the reps and the agents (24). Every pair of surveys' respondent counts differ by 7
or more, Sales's against the company's too, so whoever answered, no two groups' answerers can
differ by 1 to k-1 people who cannot read results: no pair is a few apart. The invited people
are the same throughout, so the checks of every combination, which count people as invited,
see one group of twenty-five that never changed. Yet October + November - December is twice
Quinn, and the insider's nightly dumps taken while each survey was open say who answered it.

Ada's company: twenty staff (enough that the company's respondents stay k or more beyond
Sales's in any two surveys); Ben leads Sales. Everyone answers as they did before (stable
answers); the staff and the two managers answer every survey.

A release that shares people with an earlier exact one is shown in whole points only when
everyone in it answered every statement, and everyone it holds was, in the earlier survey, in
a released group that everyone answered (pulse.trends.units_with_unsure_answerers): who
answered is then who was invited, and the attack finds the later figures coarse.
"""

import pytest

from surveys.instrument import SCALE_VALUES
from tests.anonymity.test_across_surveys import Sheet, as_reader, rescaled, run_survey
from tests.anonymity.test_large_groups_in_combinations import distribution, released_rows
from tests.anonymity.test_regions_between_surveys import ENPS_CLASSES, nets, score_sum_bounds
from tests.org_builder import BuiltOrg, build_org

pytestmark = pytest.mark.django_db

QUINN = Sheet(2, 4, None)  # what the attack reads: disagrees throughout, a detractor
REP_ANSWERS = ((6, 9), (5, 10), (7, 8), (4, 9), (6, 7), (5, 9), (6, 10), (5, 8))
AGENT_ANSWERS = ((5, 6), (6, 9), (3, 10), (7, 9), (5, 8), (6, 10), (4, 9), (6, 7))
REPS = [Sheet(v, e, None) for v, e in REP_ANSWERS]
AGENTS = [Sheet(v, e, None) for v, e in AGENT_ANSWERS + AGENT_ANSWERS[::-1]]
OTHERS = Sheet(5, 8, None)  # the staff and the two managers


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


def three_releases_of_sales(client, org: BuiltOrg) -> list[dict]:
    """Sales as Ben reads it in October, November and December."""
    reps = [p for p in org.reports_of("Ben Carter") if p.name.startswith("Rep")]
    agents = [p for p in org.reports_of("Ben Carter") if p.name.startswith("Agent")]
    quinn = org["Quinn Solo"]
    outside = {p: OTHERS for p in org.everyone if p not in reps + agents + [quinn]}
    p = dict(zip(reps, REPS, strict=True))
    r = dict(zip(agents, AGENTS, strict=True))
    q = {quinn: QUINN}
    october = run_survey(client, "October", {**outside, **p, **q})
    november = run_survey(client, "November", {**outside, **q, **r})
    december = run_survey(client, "December", {**outside, **p, **r})
    ben = org["Ben Carter"]
    return [as_reader(ben, survey, "Sales") for survey in (october, november, december)]


def test_a_manager_reads_one_person_from_three_releases_whose_answerers_rotate(client, org) -> None:
    reads = three_releases_of_sales(client, org)
    for read in reads:
        assert read["status"] == "released" and read["enps"] is not None, read
    assert [read["respondents"] for read in reads] == [9, 17, 24]

    oct_, nov, dec = reads
    classes = {
        (a + b - c) // 2
        for a in nets(oct_)
        for b in nets(nov)
        for c in nets(dec)
        if (a + b - c) % 2 == 0 and (a + b - c) // 2 in ENPS_CLASSES
    }
    assert -1 in classes, "the attack is sound"

    domain = next(iter(oct_["domains"]))
    low, high = score_sum_bounds(((oct_, 1), (nov, 1), (dec, -1)), domain)
    values = {v for v in SCALE_VALUES if low / 2 - 1e-9 <= rescaled(v) <= high / 2 + 1e-9}
    assert QUINN.value in values, "the attack is sound"

    # The promise: one person's answer is bounded no better than the whole scale.
    assert classes == set(ENPS_CLASSES) and values == set(SCALE_VALUES), (
        f"Quinn is a {' or '.join(ENPS_CLASSES[c] for c in sorted(classes))} and answered "
        f"{sorted(values)} on {domain}, at precisions {[r['precision'] for r in reads]}"
    )


@pytest.fixture
def larger_org() -> BuiltOrg:
    return build_org(
        """
        Ada Lovelace (Company)
          24 staff
          Ben Carter (Sales)
            10 reps
            Quinn Solo
            20 agents
        """
    )


def test_dump_reads_one_persons_answer_counts_from_three_releases_whose_answerers_rotate(
    client, larger_org
) -> None:
    """The same with ten reps and twenty agents (11, 21 and 30 respondents, each of them 10 or
    more, so every release keeps its exact count of each answer to each statement): the
    insider's dumps give Quinn's answer to every statement exactly."""
    org = larger_org
    reps = [p for p in org.reports_of("Ben Carter") if p.name.startswith("Rep")]
    agents = [p for p in org.reports_of("Ben Carter") if p.name.startswith("Agent")]
    quinn = org["Quinn Solo"]
    outside = {p: OTHERS for p in org.everyone if p not in reps + agents + [quinn]}
    p = {rep: Sheet(*REP_ANSWERS[i % len(REP_ANSWERS)], None) for i, rep in enumerate(reps)}
    r = {a: Sheet(*AGENT_ANSWERS[i % len(AGENT_ANSWERS)], None) for i, a in enumerate(agents)}
    q = {quinn: QUINN}
    run_survey(client, "October", {**outside, **p, **q})
    run_survey(client, "November", {**outside, **q, **r})
    run_survey(client, "December", {**outside, **p, **r})

    oct_, nov, dec = released_rows("Sales")
    assert [row["respondents"] for row in (oct_, nov, dec)] == [11, 21, 30]
    read = {}
    for key in oct_["questions"]:
        shown = [distribution(row, key) for row in (oct_, nov, dec)]
        if None in shown:
            read[key] = set(SCALE_VALUES)
            continue
        twice = [a + b - c for a, b, c in zip(*shown, strict=True)]
        read[key] = {
            value for value in SCALE_VALUES if twice == [2 * (v == value) for v in SCALE_VALUES]
        } or set(SCALE_VALUES)
    assert read, "Sales's questions are released"
    assert all(QUINN.value in values for values in read.values()), "the attack is sound"
    # The promise: one person's answer is bounded no better than the whole scale.
    pinned = {key: sorted(values) for key, values in read.items() if values != set(SCALE_VALUES)}
    assert not pinned, f"Quinn answered, statement by statement: {pinned}"
