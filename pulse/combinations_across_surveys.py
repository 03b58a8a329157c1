"""Every sum and difference of every survey's exact figures at once (DESIGN §4.9).

pulse.cuts_between_surveys takes an earlier survey and this one together. Three surveys can
give away what no two do: a team of six reps and Quinn in October, Quinn and six agents in
November, the reps and the agents in December; October + November - December is twice Quinn.

Put each person who cannot read results in an atom: the people in exactly the same exact
regions in every survey (one region per survey, or none). A figure is the sum of its region's
atoms, so a combination of figures gives each region a coefficient, and each atom the sum of
its regions' coefficients; it describes the atoms where that sum is not zero. Atoms of k or
more people cannot be among a few, so a combination describing 1 to k-1 people is zero on all
of them: those are linear equations in the coefficients, solved here exactly (modulo a prime
of 61 bits, far beyond any coefficient these 0/1 systems need). What is left free moves only
the small atoms, and for every set of small atoms of fewer than k people, rank says whether
some combination is non-zero there and zero on every other small atom.

That search grows with the small atoms that the free coefficients join together; past
MOST_SMALL_ATOMS of them it is not made, and every unit of this survey they touch is withheld,
which is always safe. Only exact figures count (as in pulse.cuts_between_surveys),
and people are counted as invited.
"""

from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import combinations

from pulse.cuts_between_surveys import NearestExact, nearest_of
from surveys.selectors import InvitedCells

PRIME = 2**61 - 1
# Beyond this many small atoms joined by free coefficients, their units are withheld outright:
# the subsets of up to k-1 of them are checked one by one.
MOST_SMALL_ATOMS = 12
NOW = -1  # the survey index of this release's regions

Region = tuple[int, int]  # (survey index, unit)
Atom = tuple[Region, ...]  # its regions, one per survey it was in an exact group of
Form = dict[Region, int]  # a linear form over the free coefficients, modulo PRIME


@dataclass
class EarlierAtoms:
    """The atoms of the earlier surveys' exact regions, person by person, built a survey at a
    time so that only one survey's invitations are held at once.

    Atoms only matter from two earlier surveys on (with one, pulse.cuts_between_surveys has
    looked at every combination already), so the first survey with exact groups is kept as it
    came and formed into atoms only when a second one does: a second cycle's release, the most
    common, makes no atom per person."""

    regions_of: list[Atom] = field(default_factory=lambda: [()])
    readers: set[int] = field(default_factory=set)
    _atom_of: dict[int, int] = field(default_factory=dict)
    _index: dict[tuple[int, Region], int] = field(default_factory=dict)
    # The first survey with exact groups, not yet formed: its index, people and their regions.
    _waiting: tuple[int, Mapping[int, int], Callable[[int | None], int | None]] | None = None

    def add(self, survey: int, cells: InvitedCells, exact: set[int]) -> None:
        self.readers |= cells.readers
        if not exact:
            return
        nearest = nearest_of(cells.parent_of, exact)
        if self._waiting is None and len(self.regions_of) == 1:
            self._waiting = (survey, cells.cell_of_person, nearest)
            return
        self._form_waiting()
        self._form(survey, cells.cell_of_person, nearest)

    @property
    def atom_of(self) -> dict[int, int]:
        """Person → their atom (an index into regions_of); 0, or absent, for none."""
        self._form_waiting()
        return self._atom_of

    @property
    def surveys(self) -> int:
        formed = {survey for regions in self.regions_of for survey, _unit in regions}
        return len(formed) + (self._waiting is not None)

    def _form_waiting(self) -> None:
        if self._waiting is not None:
            waiting, self._waiting = self._waiting, None
            self._form(*waiting)

    def _form(
        self,
        survey: int,
        cell_of_person: Mapping[int, int],
        nearest: Callable[[int | None], int | None],
    ) -> None:
        for person, cell in cell_of_person.items():
            unit = nearest(cell)
            if unit is None:
                continue
            before = self._atom_of.get(person, 0)
            key = (before, (survey, unit))
            atom = self._index.get(key)
            if atom is None:
                atom = len(self.regions_of)
                self._index[key] = atom
                self.regions_of.append((*self.regions_of[before], (survey, unit)))
            self._atom_of[person] = atom


def units_in_small_combinations(
    *, now: InvitedCells, exact_now: set[int], earlier: EarlierAtoms, k: int
) -> set[int]:
    """The units of `exact_now` to withhold, so that no combination of this survey's exact
    figures and every earlier survey's describes 1 to k-1 people who cannot read results
    (unless the earlier surveys' figures alone already did: nothing done now undoes that).

    Each such combination is closed by withholding the units it takes from this survey; their
    people count in the nearest exact unit above, and the atoms are formed again."""
    readers = earlier.readers | now.readers
    atom_of = earlier.atom_of
    pairs: Counter[tuple[int, int | None]] = Counter()
    for person, cell in now.cell_of_person.items():
        if person not in readers:
            pairs[(atom_of.get(person, 0), cell)] += 1
    for person, atom in atom_of.items():
        if person not in readers and person not in now.cell_of_person:
            pairs[(atom, None)] += 1
    exact = set(exact_now)
    region_now = NearestExact(now.parent_of, exact)
    blurred: set[int] = set()
    while True:
        atoms: Counter[Atom] = Counter()
        for (earlier_atom, cell_now), people in pairs.items():
            unit_now = region_now.of(cell_now)
            regions = earlier.regions_of[earlier_atom] + (
                ((NOW, unit_now),) if unit_now is not None else ()
            )
            if regions:
                atoms[regions] += people
        targets = units_of_a_small_combination(atoms, k) & exact
        if not targets:
            return blurred
        blurred |= targets
        exact -= targets
        region_now.withhold(targets)


def units_of_a_small_combination(atoms: Counter[Atom], k: int) -> set[int]:
    """This survey's units in some combination describing 1 to k-1 people, if there is one
    that takes any of them."""
    coefficient = solve_for_large_atoms([atom for atom, people in atoms.items() if people >= k])
    later = {region for atom in atoms for region in atom if region[0] == NOW}
    forms: dict[Atom, Form] = {}
    for atom, people in atoms.items():
        if people < k:
            form = summed_forms([coefficient(region) for region in atom])
            if form:
                forms[atom] = form
    for group in joined_by_free_coefficients(forms):
        free = sorted({var for atom in group for var in forms[atom]})
        if len(group) > MOST_SMALL_ATOMS:
            # Too many to try every few: every later region whose coefficient they move. A group
            # that moves none (only earlier surveys' figures) says nothing this survey can
            # undo, and the groups after it are still looked at.
            moved = {region[1] for region in later if coefficient(region).keys() & set(free)}
            if moved:
                return moved
            continue
        rows = [[forms[atom].get(var, 0) for var in free] for atom in group]
        for values in small_combinations(rows, [atoms[atom] for atom in group], k):
            chosen = dict(zip(free, values, strict=True))
            units = {
                region[1]
                for region in later
                if sum(c * chosen.get(var, 0) for var, c in coefficient(region).items()) % PRIME
            }
            if units:
                return units
    return set()


def small_combinations(rows: list[list[int]], people: list[int], k: int) -> Iterator[list[int]]:
    """Values of the free coefficients that make the forms `rows` (one per small atom of
    `people` people) non-zero on fewer than k people and zero on all other atoms: one for each
    set of atoms where some such values exist."""
    full = rank(rows)
    for size in range(1, k):
        for chosen in combinations(range(len(rows)), size):
            if sum(people[i] for i in chosen) >= k:
                continue
            rest = [row for i, row in enumerate(rows) if i not in chosen]
            if rank(rest) == full:
                continue
            for vector in null_space(rest, len(rows[0])):
                if any(dot(rows[i], vector) for i in chosen):
                    yield vector


class Coefficients:
    """Each region's coefficient as a form over the free ones, once the large atoms' equations
    (the sum of an atom's regions' coefficients is zero) are solved."""

    def __init__(self, pivots: dict[Region, Form]) -> None:
        self._pivots = pivots

    def __call__(self, region: Region) -> Form:
        return self._pivots.get(region, {region: 1})


def solve_for_large_atoms(large: list[Atom]) -> Coefficients:
    """Reduced row echelon form of the equations, one per large atom: each pivot region's
    coefficient in terms of free regions only."""
    pivots: dict[Region, Form] = {}  # pivot → the form it equals
    used_by: dict[Region, set[Region]] = {}  # free region → the pivots whose forms use it
    for atom in large:
        equation = summed_forms([pivots.get(region, {region: 1}) for region in atom])
        if not equation:
            continue
        pivot = min(equation)
        inverse = pow(equation.pop(pivot), PRIME - 2, PRIME)
        value = {region: (-c * inverse) % PRIME for region, c in equation.items()}
        # The pivot is no longer free: put its value wherever it was used.
        for known in used_by.pop(pivot, set()):
            form = pivots[known]
            c = form.pop(pivot)
            for region, d in value.items():
                total = (form.get(region, 0) + c * d) % PRIME
                if total:
                    form[region] = total
                    used_by.setdefault(region, set()).add(known)
                else:
                    form.pop(region, None)
                    used_by.get(region, set()).discard(known)
        pivots[pivot] = value
        for region in value:
            used_by.setdefault(region, set()).add(pivot)
    return Coefficients(pivots)


def summed_forms(forms: list[Form]) -> Form:
    total: Form = {}
    for form in forms:
        for var, c in form.items():
            total[var] = (total.get(var, 0) + c) % PRIME
    return {var: c for var, c in total.items() if c}


def joined_by_free_coefficients(forms: dict[Atom, Form]) -> list[list[Atom]]:
    """The small atoms, in groups whose forms share free coefficients (transitively)."""
    leader: dict[Region, Region] = {}

    def find(var: Region) -> Region:
        leader.setdefault(var, var)
        while leader[var] != var:
            leader[var] = leader[leader[var]]
            var = leader[var]
        return var

    for form in forms.values():
        first, *rest = form
        for var in rest:
            leader[find(var)] = find(first)
    groups: dict[Region, list[Atom]] = {}
    for atom, form in forms.items():
        groups.setdefault(find(next(iter(form))), []).append(atom)
    return sorted(groups.values(), key=len)


def rank(rows: list[list[int]]) -> int:
    return len(echelon(rows)[1])


def echelon(rows: list[list[int]]) -> tuple[list[list[int]], list[int]]:
    """Reduced row echelon form modulo PRIME, and its pivot columns."""
    matrix = [[v % PRIME for v in row] for row in rows]
    pivots: list[int] = []
    width = len(matrix[0]) if matrix else 0
    top = 0
    for column in range(width):
        found = next((r for r in range(top, len(matrix)) if matrix[r][column]), None)
        if found is None:
            continue
        matrix[top], matrix[found] = matrix[found], matrix[top]
        inverse = pow(matrix[top][column], PRIME - 2, PRIME)
        matrix[top] = [v * inverse % PRIME for v in matrix[top]]
        for r in range(len(matrix)):
            if r != top and matrix[r][column]:
                factor = matrix[r][column]
                matrix[r] = [
                    (a - factor * b) % PRIME for a, b in zip(matrix[r], matrix[top], strict=True)
                ]
        pivots.append(column)
        top += 1
    return matrix[:top], pivots


def null_space(rows: list[list[int]], width: int) -> list[list[int]]:
    """A basis of the vectors every row is orthogonal to, modulo PRIME."""
    reduced, pivots = echelon(rows) if rows else ([], [])
    free = [column for column in range(width) if column not in pivots]
    basis = []
    for column in free:
        vector = [0] * width
        vector[column] = 1
        for row, pivot in zip(reduced, pivots, strict=True):
            vector[pivot] = (-row[column]) % PRIME
        basis.append(vector)
    return basis


def dot(row: list[int], vector: list[int]) -> int:
    return sum(a * b for a, b in zip(row, vector, strict=True)) % PRIME
