"""Suppression that survives subtraction, checked by the independent auditor in auditor.py.

Grace's Platform department has 6 respondents, 5 of them in its Backend team: publishing both
would tell everyone what the sixth person said. The region rule hides Backend instead."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pulse.disclosure import Suppression, UnitCounts, decide_publication
from tests.pulse.auditor import small_derivable_groups


def published_units(decision: dict) -> set[int]:
    return {unit for unit, reason in decision.items() if reason is None}


def audit(units: list[UnitCounts], published: set[int], k: int) -> list:
    parents = {unit.unit_id: unit.parent_id for unit in units}
    respondents = {unit.unit_id: unit.own_respondents for unit in units}
    viewers = {unit.unit_id: unit.own_viewers for unit in units}
    return small_derivable_groups(parents, respondents, published, k, viewers)


PLATFORM_AND_BACKEND = [
    UnitCounts(unit_id=1, parent_id=None, own_eligible=8, own_respondents=1),
    UnitCounts(unit_id=2, parent_id=1, own_eligible=7, own_respondents=5),
]


def test_the_auditor_catches_a_threshold_only_release() -> None:
    naive = {u.unit_id for u in PLATFORM_AND_BACKEND}  # both have at least 5 respondents
    assert audit(PLATFORM_AND_BACKEND, naive, k=5) == [(1,)]


def test_the_region_rule_hides_the_smaller_published_descendant() -> None:
    decision = decide_publication(PLATFORM_AND_BACKEND, k=5)
    assert decision == {1: None, 2: Suppression.PROTECTS_SMALLER_GROUP}
    assert audit(PLATFORM_AND_BACKEND, published_units(decision), k=5) == []


def test_units_below_the_thresholds_say_which_threshold() -> None:
    units = [
        UnitCounts(1, None, 20, 12),
        UnitCounts(2, 1, 4, 4),  # too few people to ever publish
        UnitCounts(3, 1, 9, 3),  # enough people, too few answered
        UnitCounts(4, 1, 9, 9),
    ]
    decision = decide_publication(units, k=5)
    assert decision[2] == Suppression.TOO_FEW_ELIGIBLE
    assert decision[3] == Suppression.TOO_FEW_RESPONSES
    assert decision[4] is None and decision[1] is None  # region of 1: 12 + 4 + 3 = 19


# Henry heads Operations; its own cell holds Ivy (whose one-person team merged up) and the four
# leads of its sub-teams. Five answered, so five respondents, and four of them read results.
OPERATIONS_WITH_FOUR_LEADS = [
    UnitCounts(unit_id=1, parent_id=None, own_eligible=5, own_respondents=5, own_viewers=4),
    *(UnitCounts(unit_id=i, parent_id=1, own_eligible=8, own_respondents=7) for i in (2, 3, 4, 5)),
]


def test_the_leads_cannot_subtract_their_own_answers_to_read_ivys() -> None:
    without_viewers = [
        UnitCounts(u.unit_id, u.parent_id, u.own_eligible, u.own_respondents)
        for u in OPERATIONS_WITH_FOUR_LEADS
    ]
    naive = published_units(decide_publication(without_viewers, k=5))
    assert naive == {1, 2, 3, 4, 5}
    assert audit(OPERATIONS_WITH_FOUR_LEADS, naive, k=5) == [(1,)]  # Ivy, alone
    decision = decide_publication(OPERATIONS_WITH_FOUR_LEADS, k=5)
    assert audit(OPERATIONS_WITH_FOUR_LEADS, published_units(decision), k=5) == []
    assert decision[1] is None  # Operations as a whole is still shown
    assert sorted(decision.values(), key=str).count(Suppression.PROTECTS_SMALLER_GROUP) == 1


def test_a_team_whose_answers_may_all_be_the_viewers_says_so() -> None:
    units = [UnitCounts(1, None, 12, 6, own_viewers=2)]
    assert decide_publication(units, k=5) == {1: Suppression.VIEWERS_KNOWN}
    assert "cannot see results" in Suppression.VIEWERS_KNOWN.sentence(5)


@st.composite
def unit_trees(draw: st.DrawFn) -> list[UnitCounts]:
    size = draw(st.integers(min_value=1, max_value=9))
    units = []
    for unit_id in range(size):
        parent = draw(st.integers(0, unit_id - 1)) if unit_id else None
        eligible = draw(st.integers(0, 14))
        respondents = draw(st.integers(0, eligible))
        viewers = draw(st.integers(0, min(eligible, 4)))
        units.append(UnitCounts(unit_id, parent, eligible, respondents, viewers))
    return units


@settings(max_examples=400, deadline=None)
@given(units=unit_trees(), k=st.integers(min_value=3, max_value=7))
def test_no_sum_or_difference_of_published_counts_isolates_fewer_than_k_non_viewers(
    units, k
) -> None:
    decision = decide_publication(units, k=k)
    assert audit(units, published_units(decision), k) == []


@settings(max_examples=200, deadline=None)
@given(units=unit_trees(), k=st.integers(min_value=3, max_value=7))
def test_only_units_meeting_the_primary_rule_are_published(units, k) -> None:
    decision = decide_publication(units, k=k)
    children: dict = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)

    def total(unit: UnitCounts, field: str) -> int:
        return getattr(unit, field) + sum(total(c, field) for c in children.get(unit.unit_id, []))

    for unit in units:
        if decision[unit.unit_id] is None:
            assert total(unit, "own_eligible") >= k
            assert total(unit, "own_respondents") - total(unit, "own_viewers") >= k


@pytest.mark.parametrize("k", [3, 5])
def test_nothing_at_all_is_published_when_the_whole_cycle_has_fewer_than_k(k) -> None:
    units = [UnitCounts(1, None, 10, k - 1)]
    assert published_units(decide_publication(units, k=k)) == set()


def every_unit_every_pass(units: list[UnitCounts], *, k: int) -> dict[int, Suppression | None]:
    """The region rule as first written: every published unit checked in every pass, until a
    pass suppresses nothing. decide_publication must decide exactly as this does."""
    from pulse.disclosure import nearest_published_descendants, subtree_totals
    from teams.tree_walks import IdTree

    tree = IdTree({unit.unit_id: unit.parent_id for unit in units})
    respondents = subtree_totals(tree, {unit.unit_id: unit.own_respondents for unit in units})
    viewers = subtree_totals(tree, {unit.unit_id: unit.own_viewers for unit in units})
    decision = decide_publication(units, k=k)  # the primary rule's reasons are kept as they are
    decision = {
        unit: None if reason == Suppression.PROTECTS_SMALLER_GROUP else reason
        for unit, reason in decision.items()
    }
    changed = True
    while changed:
        changed = False
        for unit in units:
            if decision[unit.unit_id] is not None:
                continue
            frontier = nearest_published_descendants(unit.unit_id, tree, decision)
            region = respondents[unit.unit_id] - sum(respondents[d] for d in frontier)
            region_viewers = viewers[unit.unit_id] - sum(viewers[d] for d in frontier)
            if region == 0 or region - region_viewers >= k:
                continue
            smallest = min(frontier, key=lambda d: (respondents[d] - viewers[d], d))
            decision[smallest] = Suppression.PROTECTS_SMALLER_GROUP
            changed = True
    return decision


@st.composite
def wide_unit_trees(draw: st.DrawFn) -> list[UnitCounts]:
    """Trees with many small teams under one parent (each needs its own pass), listed in any
    order, so that a unit may come before or after the units it suppresses."""
    size = draw(st.integers(min_value=1, max_value=30))
    units = []
    for unit_id in range(size):
        parent = draw(st.integers(0, min(unit_id - 1, 3))) if unit_id else None
        eligible = draw(st.integers(0, 12))
        respondents = draw(st.integers(0, eligible))
        viewers = draw(st.integers(0, min(respondents, 3)))
        units.append(UnitCounts(unit_id, parent, eligible, respondents, viewers))
    return draw(st.permutations(units))


@settings(max_examples=400, deadline=None)
@given(units=unit_trees() | wide_unit_trees(), k=st.integers(min_value=3, max_value=7))
def test_rechecking_only_the_units_that_suppressed_decides_as_checking_every_unit(units, k) -> None:
    assert decide_publication(units, k=k) == every_unit_every_pass(units, k=k)
