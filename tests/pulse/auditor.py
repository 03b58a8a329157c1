"""An independent disclosure auditor, written apart from pulse.disclosure.

It plays the adversary who holds every published respondent count of a cycle and may add,
subtract and scale them at will. Respondents are grouped into cells (the people stored under
one reporting unit); a published figure covers the cells of its subtree. A set of cells is
derivable exactly when its indicator vector lies in the rational span of the published vectors.
The auditor enumerates every set of cells holding 1 to k-1 respondents and reports the ones
that are derivable.
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
) -> list[tuple[int, ...]]:
    """Sets of cells with 1..k-1 respondents that published counts can isolate."""
    cells = [unit for unit, count in respondents.items() if count > 0]
    vectors = [subtree_cells(unit, parents, cells) for unit in published]
    basis, pivots = echelon(vectors)
    leaks = []
    for size in range(1, len(cells) + 1):
        for group in combinations(range(len(cells)), size):
            total = sum(respondents[cells[i]] for i in group)
            if not 1 <= total < k:
                continue
            indicator = [Fraction(1 if i in group else 0) for i in range(len(cells))]
            if not any(reduce_against(basis, pivots, indicator)):
                leaks.append(tuple(cells[i] for i in group))
    return leaks
