"""Two or three surveys' exact figures, every combination of them: after
pulse.cuts_between_surveys (two surveys) or pulse.combinations_across_surveys (any number) has
coarsened what it must, no sum or difference of the figures left exact describes 1 to k-1
people who cannot read results.

The oracle knows nothing of cuts. It writes each exact group as a row over the people who
cannot read results (a reader takes their own answer out) and asks plain linear algebra: for
each set S of fewer than k of them, is some combination of the rows zero outside S and not zero
inside? That is so exactly when leaving S's columns out lowers the rank.
"""

from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from pulse.combinations_across_surveys import EarlierAtoms, units_in_small_combinations
from pulse.cuts_between_surveys import units_with_small_cuts
from pulse.trends import AnswerCountChecks
from surveys.selectors import InvitedCells, TwoCycles
from teams.tree_walks import IdTree

# Ranks are taken modulo a large prime: for 0/1 matrices this small, the rational ranks.
PRIME = 2**61 - 1


def rank(rows: list[list[int]]) -> int:
    matrix = [[value % PRIME for value in row] for row in rows]
    found = 0
    columns = len(matrix[0]) if matrix else 0
    for column in range(columns):
        pivot = next((r for r in range(found, len(matrix)) if matrix[r][column]), None)
        if pivot is None:
            continue
        matrix[found], matrix[pivot] = matrix[pivot], matrix[found]
        inverse = pow(matrix[found][column], PRIME - 2, PRIME)
        for r in range(len(matrix)):
            if r != found and matrix[r][column]:
                factor = matrix[r][column] * inverse % PRIME
                matrix[r] = [
                    (a - factor * b) % PRIME for a, b in zip(matrix[r], matrix[found], strict=True)
                ]
        found += 1
    return found


def groups(cells: InvitedCells, exact: set[int]) -> list[set[int]]:
    """Each exact unit's people: everyone invited at or below it."""
    tree = IdTree(cells.parent_of)
    return [
        {
            person
            for person, cell in cells.cell_of_person.items()
            if cell == unit or unit in tree.ancestors(cell)
        }
        for unit in exact
    ]


def fewest_described(rows: list[set[int]], people: list[int], k: int) -> int | None:
    """The fewest people (1 to k-1) some combination of `rows` describes, if any."""
    # People in exactly the same groups are one column: no combination tells them apart.
    atoms: dict[tuple[bool, ...], int] = {}
    for person in people:
        key = tuple(person in row for row in rows)
        if any(key):
            atoms[key] = atoms.get(key, 0) + 1
    keys = list(atoms)
    matrix = [[int(key[r]) for key in keys] for r in range(len(rows))]
    full = rank(matrix)
    for size in range(1, k):
        for chosen in combinations(range(len(keys)), size):
            weight = sum(atoms[keys[i]] for i in chosen)
            if weight >= k:
                continue
            rest = [[row[i] for i in range(len(keys)) if i not in chosen] for row in matrix]
            if rank(rest) < full:
                return weight
    return None


Survey = tuple[InvitedCells, set[int]]  # its cells, and its units shown exactly


@st.composite
def surveys(draw: st.DrawFn, count: int) -> tuple[list[Survey], int]:
    """`count` surveys of the same few people (the last is this one), and k."""
    trees: list[dict[int, int | None]] = []
    for first in range(1, 100 * count, 100):
        parent_of: dict[int, int | None] = {first: None}
        for cell in range(first + 1, first + draw(st.integers(2, 6))):
            parent_of[cell] = draw(st.integers(first, cell - 1))
        trees.append(parent_of)
    people = range(draw(st.integers(3, 14)))
    cells_of: list[dict[int, int]] = [{} for _tree in trees]
    for person in people:
        for tree, cell_of in zip(trees, cells_of, strict=True):
            where = draw(st.sampled_from([None, *tree]))
            if where is not None:
                cell_of[person] = where
    readers = frozenset(draw(st.sets(st.sampled_from(list(people)), max_size=2)))
    made = [
        (
            InvitedCells(parent_of=tree, cell_of_person=cell_of, readers=readers),
            draw(st.sets(st.sampled_from(list(tree)), min_size=1)),
        )
        for tree, cell_of in zip(trees, cells_of, strict=True)
    ]
    return made, draw(st.integers(2, 4))


def leaks(earlier: list[Survey], now: Survey, k: int) -> int | None:
    """The fewest people some combination of all the surveys' exact figures describes, unless
    the earlier surveys' figures alone already did: nothing done now can take that back
    (within one survey the single-survey rules keep it out before any of this runs)."""
    people = sorted(
        {person for cells, _exact in [*earlier, now] for person in cells.cell_of_person}
        - now[0].readers
    )
    before = [row for cells, exact in earlier for row in groups(cells, exact)]
    if fewest_described(before, people, k):
        return None
    return fewest_described(before + groups(*now), people, k)


@settings(max_examples=400, deadline=None)
@given(surveys(2))
def test_no_combination_of_two_surveys_exact_figures_describes_fewer_than_k(drawn) -> None:
    [(then, exact_then), (now, exact_now)], k = drawn
    blurred = units_with_small_cuts(
        cycles=TwoCycles.of(now, then), exact_now=exact_now, exact_then=exact_then, k=k
    )
    assert blurred <= exact_now
    assert leaks([(then, exact_then)], (now, exact_now - blurred), k) is None, (
        f"coarsened {sorted(blurred)} of {sorted(exact_now)}"
    )


@settings(max_examples=300, deadline=None)
@given(surveys(3))
def test_no_combination_of_three_surveys_exact_figures_describes_fewer_than_k(drawn) -> None:
    [*earlier, (now, exact_now)], k = drawn
    atoms = EarlierAtoms()
    for survey, (cells, exact) in enumerate(earlier):
        atoms.add(survey, cells, exact)
    blurred = units_in_small_combinations(now=now, exact_now=exact_now, earlier=atoms, k=k)
    assert blurred <= exact_now
    assert leaks(earlier, (now, exact_now - blurred), k) is None, (
        f"coarsened {sorted(blurred)} of {sorted(exact_now)}"
    )


def test_a_team_that_lost_one_person_and_took_in_one_is_coarsened() -> None:
    """North (cell 1 then, 101 now) loses Quinn to the company and takes in Ray, a new hire:
    North then less North now is Quinn's answer less Ray's."""
    stayers = {person: 1 for person in range(6)}
    then = InvitedCells(parent_of={1: None}, cell_of_person={**stayers, 50: 1})
    now = InvitedCells(parent_of={101: None}, cell_of_person={**{p: 101 for p in stayers}, 60: 101})
    assert units_with_small_cuts(
        cycles=TwoCycles.of(now, then), exact_now={101}, exact_then={1}, k=5
    ) == {101}
    # With five new hires in place of Ray, the difference describes six people: exact.
    hires = {60 + i: 101 for i in range(5)}
    now = InvitedCells(parent_of={101: None}, cell_of_person={**{p: 101 for p in stayers}, **hires})
    assert (
        units_with_small_cuts(cycles=TwoCycles.of(now, then), exact_now={101}, exact_then={1}, k=5)
        == set()
    )


def test_two_teams_that_swapped_one_person_each_are_coarsened() -> None:
    """North and South (1 and 2 then, 101 and 102 now) of three each swap one person: every
    region has four people, yet North then less North now is the two who swapped. No region
    alone is the cut; the cut runs between the two teams."""
    then = InvitedCells(
        parent_of={1: None, 2: None},
        cell_of_person={0: 1, 1: 1, 2: 1, 3: 1, 10: 2, 11: 2, 12: 2, 13: 2},
    )
    now = InvitedCells(
        parent_of={101: None, 102: None},
        cell_of_person={0: 101, 1: 101, 2: 101, 13: 101, 10: 102, 11: 102, 12: 102, 3: 102},
    )
    assert units_with_small_cuts(
        cycles=TwoCycles.of(now, then), exact_now={101, 102}, exact_then={1, 2}, k=4
    ) == {101, 102}


def test_answer_counts_of_five_who_left_two_teams_together_are_not_kept() -> None:
    """The four teams that pass people along, in tens: the betas move from North to East, five
    from East to South, the epsilons from South to West. Every team changed by ten or more,
    and North and East together lost the five: k = 5 people, so the figures stay exact, but
    October's answer counts of North and East less November's would be the five's answers,
    which within a survey need ten people (pulse.trends.AnswerCountChecks)."""
    groups_then = {"alpha": 1, "beta": 1, "gamma": 2, "five": 2, "delta": 3, "eps": 3, "phi": 4}
    groups_now = {
        "alpha": 101, "beta": 102, "gamma": 102, "five": 103, "delta": 103, "eps": 104, "phi": 104
    }  # fmt: skip
    sizes = {"five": 5}
    people = {
        group: range(100 * i, 100 * i + sizes.get(group, 10)) for i, group in enumerate(groups_then)
    }
    then = InvitedCells(
        parent_of={1: None, 2: None, 3: None, 4: None},
        cell_of_person={p: groups_then[g] for g, members in people.items() for p in members},
    )
    now = InvitedCells(
        parent_of={101: None, 102: None, 103: None, 104: None},
        cell_of_person={p: groups_now[g] for g, members in people.items() for p in members},
    )
    exact_then, exact_now = {1, 2, 3, 4}, {101, 102, 103, 104}
    assert (
        units_with_small_cuts(
            cycles=TwoCycles.of(now, then), exact_now=exact_now, exact_then=exact_then, k=5
        )
        == set()
    ), "five people are k: the figures stay exact"

    checks = AnswerCountChecks(now)
    checks.against(0, TwoCycles.of(now, then), exact_then, exact_now)
    found = checks.stripped(exact_now)
    assert found & {101, 102}, "North or East keeps no answer counts"
    # Without the five, nothing is described by fewer than ten: every unit keeps its counts.
    people.pop("five")
    then = InvitedCells(
        parent_of=then.parent_of,
        cell_of_person={p: groups_then[g] for g, members in people.items() for p in members},
    )
    now = InvitedCells(
        parent_of=now.parent_of,
        cell_of_person={p: groups_now[g] for g, members in people.items() for p in members},
    )
    checks = AnswerCountChecks(now)
    checks.against(0, TwoCycles.of(now, then), exact_then, exact_now)
    assert checks.stripped(exact_now) == set()
