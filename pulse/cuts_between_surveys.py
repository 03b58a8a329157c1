"""Every sum and difference of two surveys' figures at once (DESIGN §4.9).

Comparing releases a pair of groups at a time, or a component of regions at a time, misses
other combinations: four teams that pass people along can form one component that lost nobody
while two of them together lost one person, whose answer is then their two figures in October
less their two figures in November. This module looks at every combination of two surveys'
exact figures together.

Within one survey, the released groups' figures span the same sums as their regions (a unit's
people less those of the released units right below it). Across two surveys, put each person
in the piece of their region then and their region now ("neither" for someone in no exact group
of that survey). A figure is the sum of its region's pieces. Draw a graph whose nodes are the
regions of both surveys and "neither", whose edges are the pieces, each weighted by the people
in it who cannot read results (a reader takes their own answer out). A combination of figures
gives each node a coefficient ("neither" none: its sum is not published) and describes the
people of every edge whose two ends' coefficients differ (an earlier region's coefficient
counted against a later one's). So the fewest people any combination describes are exactly the
smallest cut of the graph: the earlier regions on one side added, the later ones subtracted,
sum to the pieces crossing it. Every cut of 1 to k-1 people is a sum of a few people's answers,
and the later survey's units are withheld until no such cut is left.

Only exact figures count: a coarse release says too little about a few people to be
subtracted exactly. A group so large that whole points blur what k-1 people move its means
(200 (k-1) respondents) still counts while it keeps its exact answer counts per statement
(pulse.trends.keeps_answer_counts). Groups are counted as invited:
who answered is not kept past close, and the pair comparisons in pulse.trends bound it from
the counts.

A cut is found by contracting every edge of k or more people (no cut of fewer can separate its
ends) until only light edges are left between the contracted nodes, whose components are small;
each is then cut by Stoer and Wagner's algorithm. Every component's cut is closed at
once before the graph is drawn again.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import networkx as nx

from surveys.selectors import TwoCycles, holders

# A node of the graph: (True, unit) for a region of this survey, (False, unit) for one of the
# earlier survey, NEITHER for the people of no exact group (in either survey: its sum is
# published in neither).
Node = tuple[bool, int] | str
NEITHER: Node = "neither"


@dataclass(frozen=True)
class SmallCut:
    """A side of a cut of 1 to k-1 people (it never holds NEITHER) and the pieces crossing it."""

    side: frozenset[Node]
    crossing: list[tuple[Node, Node]]


def units_with_small_cuts(
    *, cycles: TwoCycles, exact_now: set[int], exact_then: set[int], k: int
) -> set[int]:
    """The units of `exact_now` to withhold, so that no combination of this survey's exact
    figures (units `exact_now`) and the earlier survey's (`exact_then`) describes 1 to k-1
    people who cannot read results.

    Each small cut is closed by withholding the later units at its crossing pieces, with the
    other later units that hold a piece of the same earlier region (the team a person left and
    the team they joined); a withheld unit's people count in its nearest exact ancestor, and
    the graph is drawn again until no small cut is left."""
    now, then = cycles.now, cycles.then
    # Each pair's earlier region is found once: only the later regions change, as units are
    # withheld.
    region_then = nearest_of(then.parent_of, exact_then)
    pairs: Counter[tuple[int | None, int | None]] = Counter()
    for (cell_then, cell_now), people in cell_pairs(cycles).items():
        pairs[(region_then(cell_then), cell_now)] += people
    exact = set(exact_now)
    region_now = NearestExact(now.parent_of, exact)
    blurred: set[int] = set()
    settled: set[Node] = set()  # earlier regions whose cut this survey cannot change
    while True:
        pieces = pieces_of(pairs, region_now.of, settled)
        cuts = small_cuts(pieces, k)
        if not cuts:
            return blurred
        targets: set[int] = set()
        settled_before = len(settled)
        later_of = later_regions_of(pieces)
        for cut in cuts:
            closing = units_closing(cut, later_of) & exact
            if closing:
                targets |= closing
            else:
                # Only earlier regions on its side, and nothing of this survey crosses it:
                # what it says, the earlier survey said alone. Counted with "neither" now.
                settled |= cut.side
        if not targets and len(settled) == settled_before:
            return blurred  # nothing this survey shows can close what is left
        blurred |= targets
        exact -= targets
        region_now.withhold(targets)


def cell_pairs(cycles: TwoCycles) -> Counter[tuple[int | None, int | None]]:
    """(cell then, cell now) → the people in both who cannot read results; None where a person
    was not invited. Counted once: drawing the graph again only maps cells to regions."""
    pairs: Counter[tuple[int | None, int | None]] = Counter()
    for (cell_then, cell_now, reads), people in cycles.people.items():
        if not reads:
            pairs[(cell_then, cell_now)] += people
    return pairs


def nearest_of(
    parent_of: dict[int, int | None], exact: set[int]
) -> Callable[[int | None], int | None]:
    """cell → the nearest exact unit at or above it, if any."""
    units_of = holders(parent_of, exact)

    def of(cell: int | None) -> int | None:
        if cell is None:
            return None
        units = units_of(cell)
        return units[0] if units else None

    return of


class NearestExact:
    """cell → the nearest exact unit at or above it, while units are withheld one drawing of
    the graph after another. Walking the whole snapshot again for every drawing would cost a
    step per cell each time; here a cell whose nearest unit was withheld goes on to that
    unit's parent's, so only the withheld units' cells take more than one step."""

    def __init__(self, parent_of: dict[int, int | None], exact: set[int]) -> None:
        self.parent_of = parent_of
        self.first_nearest = nearest_of(parent_of, set(exact))
        self.withheld: set[int] = set()

    def withhold(self, units: set[int]) -> None:
        self.withheld |= units

    def of(self, cell: int | None) -> int | None:
        unit = self.first_nearest(cell)
        passed: set[int] = set()
        while unit is not None and unit in self.withheld:
            if unit in passed:  # a loop of reporting lines: no exact unit above it
                return None
            passed.add(unit)
            unit = self.first_nearest(self.parent_of.get(unit))
        return unit


def pieces_of(
    pairs: Counter[tuple[int | None, int | None]],
    region_now: Callable[[int | None], int | None],
    settled: set[Node],
) -> Counter[tuple[Node, Node]]:
    """(earlier node, later node) → people, for the pieces with someone in an exact group.
    `pairs`: (earlier region, later cell) → people."""
    pieces: Counter[tuple[Node, Node]] = Counter()
    for (unit_then, cell_now), people in pairs.items():
        unit_now = region_now(cell_now)
        before: Node = NEITHER if unit_then is None else (False, unit_then)
        after: Node = NEITHER if unit_now is None else (True, unit_now)
        if before in settled:
            before = NEITHER
        if before != after:
            pieces[(before, after)] += people
    return pieces


def small_cuts(pieces: Counter[tuple[Node, Node]], k: int) -> list[SmallCut]:
    """Cuts of 1 to k-1 people of the graph of `pieces`: at least one in every component of its
    light edges that has any, so that one drawing of the graph closes many at once."""
    leader: dict[Node, Node] = {}

    def find(node: Node) -> Node:
        leader.setdefault(node, node)
        while leader[node] != node:
            leader[node] = leader[leader[node]]
            node = leader[node]
        return node

    for (before, after), people in pieces.items():
        if people >= k:
            leader[find(before)] = find(after)
    # Edges between contracted nodes add up: contract again wherever they reach k.
    while True:
        light: Counter[tuple[Node, Node]] = Counter()
        for (before, after), people in pieces.items():
            ends = find(before), find(after)
            if ends[0] != ends[1]:
                light[ordered(ends)] += people
        heavy = [ends for ends, people in light.items() if people >= k]
        if not heavy:
            break
        for one, other in heavy:
            leader[find(one)] = find(other)
    between: dict[tuple[Node, Node], list[tuple[Node, Node]]] = {}
    for before, after in pieces:
        ends = find(before), find(after)
        if ends[0] != ends[1]:
            between.setdefault(ordered(ends), []).append((before, after))
    members: dict[Node, set[Node]] = {}
    for node in leader:
        members.setdefault(find(node), set()).add(node)
    graph: nx.Graph[Node] = nx.Graph()
    graph.add_weighted_edges_from((one, other, people) for (one, other), people in light.items())
    cuts = []
    for component in nx.connected_components(graph):
        for side in lightest_sides(graph.subgraph(component), k):
            if find(NEITHER) in side:
                side = component - side
            crossing = [
                piece
                for one in side
                for other in graph.neighbors(one)
                if other not in side
                for piece in between[ordered((one, other))]
            ]
            cuts.append(
                SmallCut(
                    side=frozenset(node for root in side for node in members[root]),
                    crossing=crossing,
                )
            )
    return cuts


def lightest_sides(graph: "nx.Graph[Node]", k: int) -> list[set[Node]]:
    """Sides of cuts of fewer than k people of a connected graph of light edges, if any.

    A node whose edges hold fewer than k people is such a cut by itself, and is most of them:
    a team that lost one person and took in two. Only where there is none is the graph cut
    by Stoer and Wagner's algorithm."""
    alone = [{node} for node, people in graph.degree(weight="weight") if people < k]
    if alone:
        return alone
    value, (one, _other) = nx.stoer_wagner(graph)
    return [set(one)] if value < k else []


def ordered(ends: tuple[Node, Node]) -> tuple[Node, Node]:
    return ends if repr(ends[0]) <= repr(ends[1]) else (ends[1], ends[0])


def later_regions_of(pieces: Counter[tuple[Node, Node]]) -> dict[Node, set[Node]]:
    """Each earlier region → the later regions holding a piece of it, indexed once per
    drawing: a drawing can have thousands of small cuts."""
    later_of: dict[Node, set[Node]] = {}
    for before, after in pieces:
        later_of.setdefault(before, set()).add(after)
    return later_of


def units_closing(cut: SmallCut, later_of: dict[Node, set[Node]]) -> set[int]:
    """The later units whose withholding merges the cut away: the later region of each crossing
    piece, and every later region holding a piece of a crossing piece's earlier region
    (`later_of`: later_regions_of); else the later regions on the cut's side."""
    split = {before for before, _after in cut.crossing if before != NEITHER}
    nodes = {after for _before, after in cut.crossing}
    for before in split:
        nodes |= later_of.get(before, set())
    units = {unit for node in nodes if (unit := later_unit(node)) is not None}
    return units or {unit for node in cut.side if (unit := later_unit(node)) is not None}


def later_unit(node: Node) -> int | None:
    """The unit of a region of this survey; None for an earlier region or NEITHER."""
    if isinstance(node, tuple) and node[0]:
        return node[1]
    return None
