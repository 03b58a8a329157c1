"""An independent disclosure auditor, written apart from pulse.disclosure.

It plays the adversary who holds every published respondent count of a cycle and may add,
subtract and scale them at will. Respondents are grouped into cells (the people stored under
one reporting unit); a published figure covers the cells of its subtree. A set of cells is
derivable exactly when its indicator vector lies in the rational span of the published vectors.
The auditor enumerates every set of cells holding 1 to k-1 respondents and reports the ones
that are derivable.

The viewers (managers, HR) are a coalition that knows its own ballots. Which of them answered
is not published, so a cell with r respondents and v viewers holds between max(0, r - v) and r
respondents the coalition does not know. A derivable set of cells leaks when, for some choice
of which viewers answered, it describes 1 to k-1 of those other people: when it holds at least
one respondent and its fewest possible non-viewers number fewer than k.
"""

from fractions import Fraction
from itertools import combinations


def subtree_cells(unit: int, parents: dict[int, int | None], cells: list[int]) -> list[int]:
    def inside(cell: int) -> bool:
        current: int | None = cell
        while current is not None:
            if current == unit:
                return True
            current = parents[current]
        return False

    return [1 if inside(cell) else 0 for cell in cells]


def reduce_against(
    basis: list[list[Fraction]], pivots: list[int], vector: list[Fraction]
) -> list[Fraction]:
    vector = list(vector)
    for row, pivot in zip(basis, pivots, strict=True):
        if vector[pivot] != 0:
            factor = vector[pivot]
            vector = [v - factor * r for v, r in zip(vector, row, strict=True)]
    return vector


def echelon(vectors: list[list[int]]) -> tuple[list[list[Fraction]], list[int]]:
    basis: list[list[Fraction]] = []
    pivots: list[int] = []
    for vector in vectors:
        reduced = reduce_against(basis, pivots, [Fraction(v) for v in vector])
        pivot = next((i for i, v in enumerate(reduced) if v != 0), None)
        if pivot is None:
            continue
        reduced = [v / reduced[pivot] for v in reduced]
        # Keep the basis fully reduced so a single pass decides membership.
        basis = [
            [b - row[pivot] * r for b, r in zip(row, reduced, strict=True)] if row[pivot] else row
            for row in basis
        ]
        basis.append(reduced)
        pivots.append(pivot)
    return basis, pivots


def small_derivable_groups(
    parents: dict[int, int | None],
    respondents: dict[int, int],
    published: set[int],
    k: int,
    viewers: dict[int, int] | None = None,
) -> list[tuple[int, ...]]:
    """Sets of cells the published counts isolate that may hold 1..k-1 people other than the
    viewers."""
    viewers = viewers or {}
    cells = [unit for unit, count in respondents.items() if count > 0]
    unknown = {cell: max(0, respondents[cell] - viewers.get(cell, 0)) for cell in cells}
    vectors = [subtree_cells(unit, parents, cells) for unit in published]
    basis, pivots = echelon(vectors)
    # A cell that alone holds k or more unknown people cannot be part of a small group.
    small = [i for i, cell in enumerate(cells) if unknown[cell] < k]
    leaks = []
    for size in range(1, len(small) + 1):
        for group in combinations(small, size):
            if sum(unknown[cells[i]] for i in group) >= k:
                continue
            indicator = [Fraction(1 if i in group else 0) for i in range(len(cells))]
            if not any(reduce_against(basis, pivots, indicator)):
                leaks.append(tuple(cells[i] for i in group))
    return leaks
