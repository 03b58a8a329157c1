"""Two cycles' groups are compared by counts per pair of cells, never by sets of people per
unit: the differences come out as the plain definition gives them (a unit's group is everyone
invited in its subtree, its region everyone whose nearest published unit it is; then the size
of the symmetric difference, and of its part that cannot read results, the two groups' sizes
and the readers in either)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from surveys.selectors import (
    GroupOverlap,
    InvitedCells,
    RegionComponent,
    TwoCycles,
    holders,
    overlaps_between,
    region_components,
)
from teams.tree_walks import IdTree


def groups(cells: InvitedCells, wanted: set[int]) -> dict[tuple[int, bool], set[int]]:
    tree = IdTree(cells.parent_of)
    found: dict[tuple[int, bool], set[int]] = {}
    for person, cell in cells.cell_of_person.items():
        holding = [team for team in (cell, *tree.ancestors(cell)) if team in wanted]
        for team in holding:
            found.setdefault((team, False), set()).add(person)
        if holding:
            found.setdefault((holding[0], True), set()).add(person)
    return found


def by_definition(
    now: InvitedCells,
    unit_ids: set[int],
    then: InvitedCells,
    earlier_ids: set[int],
    readers: set[int],
) -> set[GroupOverlap]:
    now_groups, then_groups = groups(now, unit_ids), groups(then, earlier_ids)
    return {
        GroupOverlap(
            unit_id=group[0],
            earlier_unit_id=earlier[0],
            changed=len(now_groups[group] ^ then_groups[earlier]),
            changed_not_reading=len((now_groups[group] ^ then_groups[earlier]) - readers),
            invited=len(now_groups[group]),
            earlier_invited=len(then_groups[earlier]),
            readers=len((now_groups[group] | then_groups[earlier]) & readers),
            region=group[1],
            earlier_region=earlier[1],
        )
        for group in now_groups
        for earlier in then_groups
        if now_groups[group] & then_groups[earlier]
    }


@st.composite
def cycles(draw: st.DrawFn, base: int, people: int) -> InvitedCells:
    size = draw(st.integers(1, 12))
    parent_of: dict[int, int | None] = {base: None}
    for team in range(1, size):
        parent_of[base + team] = base + draw(st.integers(0, team - 1))
    cells = st.sampled_from(sorted(parent_of))
    invited = draw(st.sets(st.integers(0, people - 1)))
    return InvitedCells(parent_of, {person: draw(cells) for person in invited})


@settings(max_examples=150, deadline=None)
@given(data=st.data(), people=st.integers(1, 40))
def test_overlaps_are_the_symmetric_differences_of_the_two_groups(data, people) -> None:
    now = data.draw(cycles(1000, people))
    then = data.draw(cycles(2000, people))
    unit_ids = data.draw(st.sets(st.sampled_from(sorted(now.parent_of))))
    earlier_ids = data.draw(st.sets(st.sampled_from(sorted(then.parent_of))))
    readers = data.draw(st.sets(st.integers(0, people - 1)))
    found = list(overlaps_between(TwoCycles.of(now, then, readers=readers), unit_ids, earlier_ids))
    assert len(found) == len(set(found))
    assert set(found) == by_definition(now, unit_ids, then, earlier_ids, readers)


def regions(cells: InvitedCells, wanted: set[int]) -> dict[int, int]:
    """person → the unit whose region holds them (the nearest of `wanted` at or above)."""
    tree = IdTree(cells.parent_of)
    found = {}
    for person, cell in cells.cell_of_person.items():
        holding = [team for team in (cell, *tree.ancestors(cell)) if team in wanted]
        if holding:
            found[person] = holding[0]
    return found


def components_by_definition(now, unit_ids, then, earlier_ids, readers) -> set:
    mine, before = regions(now, unit_ids), regions(then, earlier_ids)
    nodes = {(True, unit) for unit in mine.values()} | {(False, unit) for unit in before.values()}
    linked: dict = {node: set() for node in nodes}
    for person in mine.keys() & before.keys():
        linked[(True, mine[person])].add((False, before[person]))
        linked[(False, before[person])].add((True, mine[person]))
    found, seen = set(), set()
    for start in nodes:
        if start in seen:
            continue
        component, todo = set(), [start]
        while todo:
            node = todo.pop()
            if node not in component:
                component.add(node)
                todo.extend(linked[node])
        seen |= component
        later = {unit for side, unit in component if side}
        earlier = {unit for side, unit in component if not side}
        people_now = {person for person, unit in mine.items() if unit in later}
        people_then = {person for person, unit in before.items() if unit in earlier}
        changed = people_now ^ people_then
        found.add(
            (
                RegionComponent(
                    frozenset(later),
                    changed=len(changed),
                    changed_not_reading=len(changed - readers),
                    invited=len(people_now),
                    earlier_invited=len(people_then),
                    readers=len((people_now | people_then) & readers),
                ),
                frozenset(earlier),
            )
        )
    return found


@settings(max_examples=150, deadline=None)
@given(data=st.data(), people=st.integers(1, 40))
def test_region_components_join_the_regions_that_share_people(data, people) -> None:
    now = data.draw(cycles(1000, people))
    then = data.draw(cycles(2000, people))
    unit_ids = data.draw(st.sets(st.sampled_from(sorted(now.parent_of))))
    earlier_ids = data.draw(st.sets(st.sampled_from(sorted(then.parent_of))))
    readers = data.draw(st.sets(st.integers(0, people - 1)))
    found = region_components(TwoCycles.of(now, then, readers=readers), unit_ids, earlier_ids)
    assert len(found) == len(set(found))
    assert set(found) == components_by_definition(now, unit_ids, then, earlier_ids, readers)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_the_units_holding_a_cell_are_its_wanted_ancestors_whatever_the_order_asked(data) -> None:
    size = data.draw(st.integers(1, 15))
    parent_of: dict[int, int | None] = {0: None}
    for team in range(1, size):
        # Some parents lie outside the snapshot read: the walk stops there, as IdTree's does.
        parent_of[team] = data.draw(st.integers(0, team - 1) | st.just(100 + team))
    # Wanted may name ids outside the snapshot too: those hold nothing.
    known = sorted({*parent_of, *(parent for parent in parent_of.values() if parent is not None)})
    wanted = data.draw(st.sets(st.sampled_from(known)))
    tree = IdTree(parent_of)
    units_of = holders(parent_of, wanted)
    for cell in data.draw(st.permutations(sorted(parent_of))):
        expected = [team for team in (cell, *tree.ancestors(cell)) if team in wanted]
        assert units_of(cell) == expected


@settings(max_examples=100, deadline=None)
@given(data=st.data(), people=st.integers(1, 40))
def test_no_pair_is_made_for_a_unit_the_caller_has_settled_even_while_pairs_are_made(
    data, people
) -> None:
    now = data.draw(cycles(1000, people))
    then = data.draw(cycles(2000, people))
    unit_ids = data.draw(st.sets(st.sampled_from(sorted(now.parent_of))))
    earlier_ids = data.draw(st.sets(st.sampled_from(sorted(then.parent_of))))
    settled = data.draw(st.sets(st.sampled_from(sorted(now.parent_of))))
    everything = set(overlaps_between(TwoCycles.of(now, then), unit_ids, earlier_ids))
    made = []
    settling: set[int] = set(settled)
    for overlap in overlaps_between(
        TwoCycles.of(now, then), unit_ids, earlier_ids, settled=settling
    ):
        assert overlap.unit_id not in settling
        made.append(overlap)
        settling.add(overlap.unit_id)  # as the release does once a unit is found coarse
    assert {overlap.unit_id for overlap in made} == {
        overlap.unit_id for overlap in everything if overlap.unit_id not in settled
    }
    assert set(made) <= everything
