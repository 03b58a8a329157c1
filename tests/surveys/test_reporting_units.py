"""Reporting units: small teams merge upwards until every unit holds at least k people."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveys.reporting_units import PopulationTooSmall, SnapshotTeam, assign_reporting_units


def test_a_big_team_is_its_own_unit_and_a_small_one_merges_into_its_parent() -> None:
    company = SnapshotTeam(1, None, 6)
    platform = SnapshotTeam(2, 1, 6)
    design = SnapshotTeam(3, 1, 2)
    units = assign_reporting_units([company, platform, design], k=5)
    assert units == {1: 1, 2: 2, 3: 1}


def test_two_small_sibling_teams_pool_in_their_parent() -> None:
    teams = [
        SnapshotTeam(1, None, 5),
        SnapshotTeam(2, 1, 1),  # Sales leads two tiny teams and has one direct member
        SnapshotTeam(3, 2, 3),
        SnapshotTeam(4, 2, 3),
    ]
    units = assign_reporting_units(teams, k=5)
    assert units == {1: 1, 2: 2, 3: 2, 4: 2}


def test_a_small_root_absorbs_its_smallest_child_unit() -> None:
    teams = [SnapshotTeam(1, None, 2), SnapshotTeam(2, 1, 9), SnapshotTeam(3, 1, 5)]
    assert assign_reporting_units(teams, k=5) == {1: 1, 2: 2, 3: 1}


def test_a_small_root_reaches_through_an_empty_team_to_absorb_a_unit_below_it() -> None:
    teams = [SnapshotTeam(1, None, 2), SnapshotTeam(2, 1, 0), SnapshotTeam(3, 2, 7)]
    assert assign_reporting_units(teams, k=5) == {1: 1, 2: 1, 3: 1}


def test_a_population_smaller_than_k_cannot_launch() -> None:
    with pytest.raises(PopulationTooSmall, match="4 eligible people"):
        assign_reporting_units([SnapshotTeam(1, None, 3), SnapshotTeam(2, 1, 1)], k=5)


@st.composite
def org_trees(draw: st.DrawFn) -> list[SnapshotTeam]:
    size = draw(st.integers(min_value=1, max_value=40))
    teams = [SnapshotTeam(0, None, draw(st.integers(0, 12)))]
    for team_id in range(1, size):
        parent = draw(st.integers(min_value=0, max_value=team_id - 1))
        teams.append(SnapshotTeam(team_id, parent, draw(st.integers(0, 12))))
    return teams


@settings(max_examples=300, deadline=None)
@given(teams=org_trees(), k=st.integers(min_value=3, max_value=10))
def test_every_unit_with_anyone_in_it_holds_at_least_k_and_is_the_team_or_an_ancestor(
    teams, k
) -> None:
    total = sum(team.eligible for team in teams)
    try:
        units = assign_reporting_units(teams, k=k)
    except PopulationTooSmall:
        assert 0 < total < k
        return
    parents = {team.id: team.parent_id for team in teams}
    pooled: dict[int, int] = {}
    for team in teams:
        pooled[units[team.id]] = pooled.get(units[team.id], 0) + team.eligible
        ancestor = team.id
        while ancestor is not None and ancestor != units[team.id]:
            ancestor = parents[ancestor]
        assert ancestor == units[team.id], "a team's unit must be itself or an ancestor"
        assert units[units[team.id]] == units[team.id], "a unit is its own unit"
    assert all(size >= k for size in pooled.values() if size > 0)
