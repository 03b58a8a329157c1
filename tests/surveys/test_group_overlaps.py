"""Two cycles' groups are compared by counts per pair of cells, never by sets of people per
unit: the differences come out as the plain definition (everyone invited in a unit's subtree,
then the size of the symmetric difference) gives them."""

from hypothesis import given, settings
from hypothesis import strategies as st

from surveys.selectors import GroupOverlap, InvitedCells, overlaps_between
from teams.tree_walks import IdTree


def groups(cells: InvitedCells) -> dict[int, set[int]]:
    tree = IdTree(cells.parent_of)
    found: dict[int, set[int]] = {}
    for person, cell in cells.cell_of_person.items():
        for team in (cell, *tree.ancestors(cell)):
            found.setdefault(team, set()).add(person)
    return found


def by_definition(
    now: InvitedCells, unit_ids: set[int], then: InvitedCells, earlier_ids: set[int]
) -> set[GroupOverlap]:
    now_groups, then_groups = groups(now), groups(then)
    return {
        GroupOverlap(unit, earlier, len(now_groups[unit] ^ then_groups[earlier]))
        for unit in unit_ids & now_groups.keys()
        for earlier in earlier_ids & then_groups.keys()
        if now_groups[unit] & then_groups[earlier]
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
    found = overlaps_between(now, unit_ids, then, earlier_ids)
    assert len(found) == len(set(found))
    assert set(found) == by_definition(now, unit_ids, then, earlier_ids)
