"""Reads of the surveys plane that other apps may use. None of them says who answered."""

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Container, ItemsView, Iterable, Iterator, Mapping, Set
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import NamedTuple

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from surveys.models import Cycle, CycleReader, CycleState, CycleTeam, Invitation

# The walks over a snapshot that pages use to read only what they show, offered here with the
# other reads (the anonymous plane reads surveys through this module).
from surveys.snapshot_tree import ancestors_of as ancestors_of
from surveys.snapshot_tree import subtree_ids as subtree_ids
from teams.models import Person
from teams.tree_walks import IdTree


@dataclass(frozen=True)
class ReportingUnit:
    """A reporting unit of a cycle's snapshot, and its nearest ancestor unit."""

    id: int
    parent_unit_id: int | None
    team_id: int | None
    name: str
    unit_eligible_count: int
    # Shown a shared focus at launch: its people were asked the follow-through item.
    asks_follow_through: bool = False


def answers_cell_id(team: CycleTeam, teams: Mapping[int, CycleTeam] | None = None) -> int:
    """The reporting unit whose stored answers include this team's: where its answers went.

    Launch maps every team to its reporting unit; a close that moves a unit with 1..k-1
    respondents into its parent unit's cell records the final cell in the unit's
    `answers_counted_in`. `teams` (id → CycleTeam of the cycle) saves a query per team."""
    unit_id = team.reporting_unit_id or team.pk
    if unit_id == team.pk:
        unit = team
    elif teams is not None and unit_id in teams:
        unit = teams[unit_id]
    else:
        unit = CycleTeam.objects.get(pk=unit_id)
    return unit.answers_counted_in_id or unit.pk


def reporting_units(cycle_id: int) -> list[ReportingUnit]:
    """The cycle's reporting units, each with its nearest ancestor unit. Read as plain rows:
    a release at a million people reads some 140,000 teams."""
    # Team id → its reporting unit, for every team of the snapshot.
    unit_of: dict[int, int | None] = {}
    rows = []
    teams = CycleTeam.objects.filter(cycle_id=cycle_id).values_list(
        "id",
        "parent_id",
        "reporting_unit_id",
        "name",
        "team_id",
        "unit_eligible_count",
        "focus_domain",
    )
    for row in teams.iterator(chunk_size=INVITATION_CHUNK):
        team_id, _, unit_id = row[:3]
        unit_of[team_id] = unit_id
        if unit_id == team_id:
            rows.append(row)
    return [
        ReportingUnit(
            id=team_id,
            parent_unit_id=unit_of.get(parent_id) if parent_id else None,
            team_id=chart_team_id,
            name=name,
            unit_eligible_count=eligible,
            asks_follow_through=focus_domain != "",
        )
        for team_id, parent_id, _, name, chart_team_id, eligible, focus_domain in rows
    ]


def _viewer_person_ids(cycle_id: int | None) -> set[int]:
    """Everyone who can read any results of the cycle (None: of any cycle): the snapshot's
    managers, and the people behind the HR logins recorded at close (surveys.closing), found by
    the login's link or, for a login made before the org chart named its person, by the same
    email address."""
    of_cycle = {} if cycle_id is None else {"cycle_id": cycle_id}
    # Unordered: with the model's ordering, DISTINCT would be over (manager, the cycle's date,
    # the team's name) and sort every team of every cycle.
    managers = set(
        CycleTeam.objects.filter(manager__isnull=False, **of_cycle)
        .order_by()
        .values_list("manager_id", flat=True)
        .distinct()
    )
    readers = CycleReader.objects.filter(**of_cycle)
    # Recorded at close, and kept when the login is deleted; found again for older rows.
    recorded = set(readers.filter(person__isnull=False).values_list("person_id", flat=True))
    emails = [email.lower() for email in readers.values_list("user__email", flat=True) if email]
    hr = set(
        Person.objects.annotate(email_lower=Lower("email"))
        .filter(Q(user__in=readers.values("user")) | Q(email_lower__in=emails))
        .order_by()
        .values_list("pk", flat=True)
    )
    return managers | recorded | hr


def hr_readings() -> QuerySet[CycleReader]:
    """The cycles HR logins read: those the login was HR for when they closed, if it named
    a person then (the release counted that person as a reader) or is said to be nobody in
    the org chart (teams.hr_identity). A login that named nobody reads none of them: nobody
    could tell whose answers it knows, so no figure was protected against them. So also for
    the rows of surveys that closed before this rule, which recorded every HR login."""
    # The statement counts only for a login linked to nobody (teams.hr_identity).
    return CycleReader.objects.filter(
        Q(person__isnull=False)
        | Q(user__outside_org_chart__isnull=False, user__person__isnull=True)
    )


def reads_cycle_as_hr(user_id: int, cycle_id: int) -> bool:
    """Was this login HR when the cycle closed, and did the release know who is behind it?
    Only those logins read its results as HR."""
    return hr_readings().filter(cycle_id=cycle_id, user_id=user_id).exists()


def cycles_read_as_hr(user_id: int) -> QuerySet[CycleReader]:
    return hr_readings().filter(user_id=user_id)


def cycles_led_by(user_id: int) -> QuerySet[CycleTeam, int]:
    """The cycles in whose frozen snapshot this login led a team: a manager reads those cycles'
    results for that team's subtree (pulse.access), whoever leads it today."""
    return CycleTeam.objects.filter(manager__user_id=user_id).values_list("cycle_id", flat=True)


def viewers_per_unit(cycle_id: int, *, readers: frozenset[int] | None = None) -> dict[int, int]:
    """Reporting unit id → how many of the people invited under it can read results of this
    cycle or of any other (readers_of_every_cycle, or `readers` if the caller has them):
    someone who was HR or a manager for an earlier survey remembers their own answers here
    too, and can take them out of this survey's figures and comments beside whoever reads
    them now.

    Counted in the cell where the unit's answers are stored (answers_cell_id), so the counts
    line up with the stored responses."""
    viewers = readers_of_every_cycle() if readers is None else readers
    teams = CycleTeam.objects.filter(cycle_id=cycle_id).values_list(
        "id", "reporting_unit_id", "answers_counted_in_id"
    )
    unit_of, counted_in = {}, {}
    for team_id, unit_id, counted_in_id in teams.iterator(chunk_size=INVITATION_CHUNK):
        unit_of[team_id] = unit_id or team_id
        if counted_in_id is not None:
            counted_in[team_id] = counted_in_id
    counts: dict[int, int] = defaultdict(int)
    for team_id, invited in readers_invited_per_cell(cycle_id, viewers).items():
        # As answers_cell_id finds it: the unit's final cell, or the unit itself.
        unit_id = unit_of.get(team_id, team_id)
        counts[counted_in.get(unit_id, unit_id)] += invited
    return dict(counts)


def readers_invited_per_cell(cycle_id: int, readers: Iterable[int]) -> dict[int, int]:
    """Cell (the team an invitation counts under) → how many of `readers` the cycle invited
    there: counted in the database, `readers` sent as one JSON array."""
    query = f"""
        WITH reader AS ({reader_ids_sql()})
        SELECT invitation.reporting_unit_id, COUNT(*)
        FROM {Invitation._meta.db_table} invitation
        JOIN reader ON reader.id = invitation.person_id
        WHERE invitation.cycle_id = %s
        GROUP BY 1
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(query, [json.dumps(sorted(readers)), cycle_id])
        return dict(cursor.fetchall())


def reader_ids_sql() -> str:
    """A query of the ids in a JSON array of person ids (its one parameter), each once: how a
    set of readers is sent to the database, one parameter whatever their number."""
    if connection.vendor == "postgresql":
        return "SELECT DISTINCT value::bigint AS id FROM jsonb_array_elements_text(%s::jsonb)"
    return "SELECT DISTINCT value AS id FROM json_each(%s)"


class GroupOverlap(NamedTuple):
    """A group of a later cycle and a group of an earlier one whose people overlap: how many
    people are in one of the two groups but not in both, and how many of those cannot read
    results themselves. Counts only, never who.

    A group is a published unit's people (`region=False`) or its region (`region=True`): the
    people of its subtree less those of the published units below it, which the two releases
    give by subtraction. The unit ids are the units the groups belong to.

    `invited` and `earlier_invited` are the two groups' sizes and `readers` the readers in
    either: with them, the respondent counts bound how far the two groups' respondents can
    differ, though nobody knows who answered (pulse.trends.respondents_may_differ_by_few).

    A named tuple: a release compared with an earlier one at a million people makes millions."""

    unit_id: int
    earlier_unit_id: int
    changed: int
    changed_not_reading: int
    invited: int
    earlier_invited: int
    readers: int
    region: bool = False
    earlier_region: bool = False

    @property
    def shared(self) -> int:
        return (self.invited + self.earlier_invited - self.changed) // 2


@dataclass(frozen=True)
class InvitedCells:
    """Where a cycle invited each person: the snapshot's tree (team → parent) and, for each
    person, the team their invitation counts under. One cell per person and cycle. `readers`
    are the people who can read the cycle's results (_viewer_person_ids). `cycle_id` names the
    cycle whose invitations these are, if they were read from the database (invited_cells):
    TwoCycles.of then counts two cycles' people without reading either's person by person."""

    parent_of: dict[int, int | None]
    cell_of_person: Mapping[int, int]
    readers: frozenset[int] = frozenset()
    cycle_id: int | None = None

    @cached_property
    def tree(self) -> IdTree:
        """The snapshot's tree, built once: each check of a comparison walks it."""
        return IdTree(self.parent_of)


def readers_of_every_cycle() -> frozenset[int]:
    """Everyone who can read the results of some cycle, whichever: across surveys, a person who
    read one survey's results (HR for a pulse of one team, a manager of a survey that released
    nothing exact) knows their own answers in every other, and can take them out of any
    combination of figures."""
    return frozenset(_viewer_person_ids(None))


def invited_cells(cycle_id: int, *, readers: frozenset[int] | None = None) -> InvitedCells:
    """By the snapshot's own ids rather than the org chart's: a team that got a new manager is
    a new team of the chart, but the same people, and the comparison must still find them.
    `readers`: who counts as a reader (default: the cycle's own, _viewer_person_ids).

    Read once per cycle: a release compared with several earlier cycles passes the same
    InvitedCells of its own cycle to compare_cycles for each of them. Each person's cell is
    read only when first asked for (PeopleCells)."""
    return InvitedCells(
        parent_of=dict(CycleTeam.objects.filter(cycle_id=cycle_id).values_list("id", "parent_id")),
        cell_of_person=PeopleCells(cycle_id),
        readers=frozenset(_viewer_person_ids(cycle_id)) if readers is None else readers,
        cycle_id=cycle_id,
    )


class PeopleCells(Mapping[int, int]):
    """Person → the cell their invitation of one cycle counts under, read when first used.

    A release compared with one earlier survey, the most common, never uses it (TwoCycles.of
    counts the two cycles' people in the database); at a million people each cycle's would be
    some 85 MB. Only the atoms of two earlier surveys or more go person by person."""

    def __init__(self, cycle_id: int) -> None:
        self.cycle_id = cycle_id

    @cached_property
    def _cells(self) -> dict[int, int]:
        return cells_of_people(self.cycle_id)

    def __getitem__(self, person_id: int) -> int:
        return self._cells[person_id]

    def __contains__(self, person_id: object) -> bool:
        return person_id in self._cells

    def __iter__(self) -> Iterator[int]:
        return iter(self._cells)

    def __len__(self) -> int:
        return len(self._cells)

    def items(self) -> ItemsView[int, int]:
        return self._cells.items()


def cells_of_people(cycle_id: int) -> dict[int, int]:
    """Person → the cell their invitation counts under. Each cell's id is one object shared by
    its people: read row by row, a million invitations would hold a million copies."""
    shared: dict[int, int] = {}
    rows = (
        Invitation.objects.filter(cycle_id=cycle_id)
        .values_list("person_id", "reporting_unit_id")
        .iterator(chunk_size=INVITATION_CHUNK)
    )
    return {person_id: shared.setdefault(cell, cell) for person_id, cell in rows}


def people_between_cycles(
    later_cycle_id: int, earlier_cycle_id: int, readers: Iterable[int]
) -> "PeopleBetween":
    """Everyone either cycle invited, counted in the database by (cell then, cell now, reads
    results): the two cycles' invitations joined there, `readers` sent as one JSON array
    (reader_ids_sql). A million people come back as about as many rows as there are cells,
    and no person's row leaves the database."""
    table = Invitation._meta.db_table
    # One full join, so that the planner cannot take the few invited in only one cycle for
    # none and look each of them up among the readers one by one.
    query = f"""
        WITH reader AS ({reader_ids_sql()})
        SELECT earlier.reporting_unit_id, later.reporting_unit_id, reader.id IS NOT NULL, COUNT(*)
        FROM (SELECT person_id, reporting_unit_id FROM {table} WHERE cycle_id = %s) later
        FULL OUTER JOIN (
            SELECT person_id, reporting_unit_id FROM {table} WHERE cycle_id = %s
        ) earlier ON earlier.person_id = later.person_id
        LEFT JOIN reader ON reader.id = COALESCE(later.person_id, earlier.person_id)
        GROUP BY 1, 2, 3
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(
            query,
            [json.dumps(sorted(readers)), later_cycle_id, earlier_cycle_id],
        )
        return Counter(
            {
                (cell_then, cell_now, bool(reads)): people
                for cell_then, cell_now, reads, people in cursor
            }
        )


# Invitations fetched per round trip when a cycle's cells are read: at a million people the
# rows are streamed into the dict rather than held as a list beside it.
INVITATION_CHUNK = 5000


# (cell in the earlier cycle, cell in the later one, reads results) → how many people; a cell
# is None where that cycle did not invite them.
PeopleBetween = Counter[tuple[int | None, int | None, bool]]
# (cell, reads results) → how many people one cycle invited there.
PeoplePerCell = Counter[tuple[int, bool]]


@dataclass(frozen=True)
class TwoCycles:
    """A later cycle's invitations beside an earlier one's, for comparing their groups: both
    snapshots, and every person of either counted by where each cycle invited them and whether
    they read results. The people are gone through once, here; every comparison of the two
    cycles' groups (overlaps_between, region_components, pulse.cuts_between_surveys, the check
    of unsure answerers) then works on pairs of cells, about as many as there are cells,
    rather than on a million people each."""

    now: InvitedCells
    then: InvitedCells
    people: PeopleBetween

    @classmethod
    def of(
        cls, now: InvitedCells, then: InvitedCells, *, readers: Container[int] | None = None
    ) -> "TwoCycles":
        """`readers`: who counts as one (default: the readers of either cycle)."""
        reading = now.readers | then.readers if readers is None else readers
        if now.cycle_id is not None and then.cycle_id is not None and isinstance(reading, Set):
            people = people_between_cycles(now.cycle_id, then.cycle_id, reading)
        else:
            people = Counter(
                (cell_then, cell_now, person in reading)
                for person, cell_then, cell_now in people_of_both(now, then)
            )
        return cls(now, then, people)

    @cached_property
    def per_cell_now(self) -> PeoplePerCell:
        return self._per_cell(later=True)

    @cached_property
    def per_cell_then(self) -> PeoplePerCell:
        return self._per_cell(later=False)

    @cached_property
    def _earlier_group_sizes(self) -> dict[frozenset[int], "GroupSizes"]:
        return {}

    def earlier_group_sizes(self, wanted: set[int]) -> "GroupSizes":
        """group_sizes_and_readers of the earlier cycle's groups of the units `wanted`, counted
        once for each set of units: the overlaps and the check of unsure answerers both need
        them."""
        key = frozenset(wanted)
        if key not in self._earlier_group_sizes:
            self._earlier_group_sizes[key] = group_sizes_and_readers(
                self.per_cell_then, self.then.tree, wanted
            )
        return self._earlier_group_sizes[key]

    def _per_cell(self, *, later: bool) -> PeoplePerCell:
        counts: PeoplePerCell = Counter()
        for (earlier_cell, later_cell, reads), people in self.people.items():
            cell = later_cell if later else earlier_cell
            if cell is not None:
                counts[(cell, reads)] += people
        return counts


def people_of_both(
    now: InvitedCells, then: InvitedCells
) -> Iterator[tuple[int, int | None, int | None]]:
    """(person, cell then, cell now) for everyone either cycle invited, from the cells held."""
    earlier_cell = then.cell_of_person.get
    for person, cell in now.cell_of_person.items():
        yield person, earlier_cell(person), cell
    later = now.cell_of_person
    for person, cell in then.cell_of_person.items():
        if person not in later:
            yield person, cell, None


@dataclass(frozen=True)
class CycleComparison:
    """How a later cycle's published groups meet an earlier cycle's: pair by pair (made as
    they are read, never all held: at a million people there are millions), and as
    components of regions joined by the people they share."""

    overlaps: Iterator["GroupOverlap"]
    components: list[tuple["RegionComponent", frozenset[int]]]


def compare_cycles(
    *,
    cycles: TwoCycles,
    unit_ids: set[int],
    earlier_unit_ids: set[int],
    settled: Container[int] = frozenset(),
) -> CycleComparison:
    """Every pair of a group of `unit_ids` (of the later cycle) and an earlier group of
    `earlier_unit_ids` that share at least one invited person, and every component of their
    regions, each with the size of the difference, from the same count of the two cycles'
    people (TwoCycles). `settled`: units whose pairs the caller no longer needs, looked at as
    the pairs are made (it may grow meanwhile)."""
    return CycleComparison(
        overlaps=overlaps_between(cycles, unit_ids, earlier_unit_ids, settled=settled),
        components=region_components(cycles, unit_ids, earlier_unit_ids),
    )


Group = tuple[int, bool]  # (unit id, whether the group is the unit's region)


def overlaps_between(
    cycles: TwoCycles,
    unit_ids: set[int],
    earlier_unit_ids: set[int],
    *,
    settled: Container[int] = frozenset(),
) -> Iterator[GroupOverlap]:
    """A unit's group is everyone invited in its subtree; its region, everyone whose nearest
    published unit it is. Counts only, with no set of people per group: each later cell's
    people are counted per earlier group they were in (own), then one pass up the later tree
    adds each unit's children's counts to its own, a unit's region taking only those of the
    children not published. So the work is one step per pair of cells and earlier group above
    it, and then one per pair of groups found, whatever the depth of the two trees. Readers are
    counted apart, so the change can be told in people who do not read results (a reader knows
    their own answer and can take it out)."""
    now, then = cycles.now, cycles.then
    then_groups = groups_holding(then.parent_of, earlier_unit_ids)
    size_now, readers_now = group_sizes_and_readers(cycles.per_cell_now, now.tree, unit_ids)
    size_then, readers_then = cycles.earlier_group_sizes(earlier_unit_ids)
    # Later cell → (earlier cell, reads, people) of its people who were invited then. Each
    # cell's counts per earlier group are made from these as the walk up reaches it, not all
    # at once: a cell has an earlier group per level above its people's earlier cells.
    met_in: dict[int, list[tuple[int, bool, int]]] = defaultdict(list)
    for (earlier_cell, cell, reads), people in cycles.people.items():
        if cell is not None and earlier_cell is not None:
            met_in[cell].append((earlier_cell, reads, people))
    tree = now.tree
    # Per unit on the way up: its subtree's counts and its region's so far, each taken over by
    # its parent (merged into the largest, so no count is copied more than it must be).
    below: dict[int, tuple[SharedCounts, SharedCounts]] = {}
    for cell in tree.bottom_up():
        subtree = SharedCounts.of_cell(met_in.pop(cell, []), then_groups)
        region = subtree.copy()
        for child in tree.children_of(cell):
            child_subtree, child_region = below.pop(child, (SharedCounts(), SharedCounts()))
            subtree = subtree.merged(child_subtree)
            if child not in unit_ids:
                region = region.merged(child_region)
        if cell in unit_ids and cell not in settled:
            for group, shared in ((cell, False), subtree), ((cell, True), region):
                for earlier, people in shared.people.items():
                    if cell in settled:
                        break  # the caller is done with this unit
                    common_readers = shared.readers.get(earlier, 0)
                    changed = size_now[group] + size_then[earlier] - 2 * people
                    readers_changed = (
                        readers_now[group] + readers_then[earlier] - 2 * common_readers
                    )
                    yield GroupOverlap(
                        unit_id=cell,
                        earlier_unit_id=earlier[0],
                        changed=changed,
                        changed_not_reading=changed - readers_changed,
                        invited=size_now[group],
                        earlier_invited=size_then[earlier],
                        readers=readers_now[group] + readers_then[earlier] - common_readers,
                        region=group[1],
                        earlier_region=earlier[1],
                    )
        below[cell] = (subtree, region)


@dataclass
class SharedCounts:
    """Earlier group → how many of some later people were in it, and how many of those read
    results: what overlaps_between carries up the later tree."""

    people: dict[Group, int] = field(default_factory=dict)
    readers: dict[Group, int] = field(default_factory=dict)

    @classmethod
    def of_cell(
        cls, met: list[tuple[int, bool, int]], then_groups: Callable[[int], list[Group]]
    ) -> "SharedCounts":
        """A later cell's own counts, from its people per earlier cell (overlaps_between)."""
        shared = cls()
        for earlier_cell, reads, people in met:
            for counts in (shared.people, shared.readers) if reads else (shared.people,):
                for earlier in then_groups(earlier_cell):
                    counts[earlier] = counts.get(earlier, 0) + people
        return shared

    def copy(self) -> "SharedCounts":
        return SharedCounts(dict(self.people), dict(self.readers))

    def merged(self, other: "SharedCounts") -> "SharedCounts":
        """Both counts added, into the larger of the two (the other is dropped by the caller)."""
        into, part = (self, other) if len(self.people) >= len(other.people) else (other, self)
        for counts, extra in ((into.people, part.people), (into.readers, part.readers)):
            for earlier, people in extra.items():
                counts[earlier] = counts.get(earlier, 0) + people
        return into


@dataclass(frozen=True)
class RegionComponent:
    """Regions of two cycles joined by the people they share, transitively: a team that took in
    a sibling team, or split in two, is one component of its regions before and after. Its
    union in one cycle and in the other differ only by the people who joined or left it.
    Sizes and readers as in GroupOverlap."""

    unit_ids: frozenset[int]  # the later cycle's units whose regions are in it
    changed: int
    changed_not_reading: int
    invited: int
    earlier_invited: int
    readers: int

    @property
    def shared(self) -> int:
        return (self.invited + self.earlier_invited - self.changed) // 2


def region_components(
    cycles: TwoCycles, unit_ids: set[int], earlier_unit_ids: set[int]
) -> list[tuple[RegionComponent, frozenset[int]]]:
    """Every component with the earlier cycle's units whose regions are in it."""
    region_now = holders(cycles.now.parent_of, unit_ids)
    region_then = holders(cycles.then.parent_of, earlier_unit_ids)
    leader: dict[tuple[bool, int], tuple[bool, int]] = {}

    def find(node: tuple[bool, int]) -> tuple[bool, int]:
        leader.setdefault(node, node)
        while leader[node] != node:
            leader[node] = leader[leader[node]]
            node = leader[node]
        return node

    alone: Counter[tuple[tuple[bool, int], bool]] = Counter()  # (region, reads) → people
    invited: Counter[tuple[bool, int]] = Counter()  # region → people invited in it
    reading: Counter[tuple[bool, int]] = Counter()  # region → readers, each at one region
    for (earlier_cell, cell, reads), people in cycles.people.items():
        mine = region_now(cell) if cell is not None else []
        before = region_then(earlier_cell) if earlier_cell is not None else []
        if mine:
            invited[(True, mine[0])] += people
        if before:
            invited[(False, before[0])] += people
        if reads and (mine or before):
            reading[(True, mine[0]) if mine else (False, before[0])] += people
        if mine and before:
            leader[find((True, mine[0]))] = find((False, before[0]))
        elif mine:
            alone[((True, mine[0]), reads)] += people
        elif before:
            alone[((False, before[0]), reads)] += people
    members: dict[tuple[bool, int], set[tuple[bool, int]]] = defaultdict(set)
    for node in list(leader) + list(invited):
        members[find(node)].add(node)
    changed: Counter[tuple[bool, int]] = Counter()
    not_reading: Counter[tuple[bool, int]] = Counter()
    for (node, reads), people in alone.items():
        changed[find(node)] += people
        if not reads:
            not_reading[find(node)] += people
    return [
        (
            RegionComponent(
                unit_ids=frozenset(unit for later, unit in nodes if later),
                changed=changed[root],
                changed_not_reading=not_reading[root],
                invited=sum(invited[node] for node in nodes if node[0]),
                earlier_invited=sum(invited[node] for node in nodes if not node[0]),
                readers=sum(reading[node] for node in nodes),
            ),
            frozenset(unit for later, unit in nodes if not later),
        )
        for root, nodes in members.items()
    ]


def groups_holding(parent_of: dict[int, int | None], wanted: set[int]) -> Callable[[int], list]:
    """cell → the groups that hold it: the units among `wanted` at or above it, and the region
    of the nearest of them. The lists are shared, by every cell with the same nearest unit,
    and so are the groups in them, rather than a list and its tuples per cell of a million
    people's snapshot. Callers must not change them."""
    units_of = holders(parent_of, wanted)
    found: dict[int, list[Group]] = {}
    of_nearest: dict[int, list[Group]] = {}
    group_of: dict[Group, Group] = {}

    def of(cell: int) -> list[Group]:
        groups = found.get(cell)
        if groups is None:
            units = units_of(cell)
            groups = of_nearest.get(units[0]) if units else []
            if groups is None:
                groups = of_nearest[units[0]] = [
                    group_of.setdefault(group, group)
                    for group in (*((unit, False) for unit in units), (units[0], True))
                ]
            found[cell] = groups
        return groups

    return of


def published_below(parent_of: dict[int, int | None], published: set[int]) -> dict[int, list[int]]:
    """Published unit → the published units right below it (nearest, not under another), in
    the snapshot tree `parent_of` (InvitedCells.parent_of)."""
    units_of = holders(parent_of, published)
    below: dict[int, list[int]] = defaultdict(list)
    for unit in published:
        parent = parent_of.get(unit)
        above = units_of(parent) if parent is not None else []
        if above:
            below[above[0]].append(unit)
    return dict(below)


def holders(parent_of: dict[int, int | None], wanted: set[int]) -> Callable[[int], list[int]]:
    """cell → the cell and its ancestors that are among `wanted`, nearest first, as
    IdTree.ancestors walks them. Each cell is walked once: a cell's list is its own id before
    its parent's list, or its parent's list itself when the cell is not wanted, so a tree of
    many levels costs a step per cell, not one per level below it. The lists are shared:
    callers must not change them."""
    found: dict[int, list[int]] = {}

    def of(cell: int) -> list[int]:
        known = found.get(cell)
        if known is not None:
            return known
        path, on_path = [cell], {cell}
        node = parent_of.get(cell)
        while node is not None and node in parent_of and node not in found:
            if node in on_path:  # a loop: no tree above it
                node = None
                break
            path.append(node)
            on_path.add(node)
            node = parent_of.get(node)
        above = found[node] if node is not None and node in parent_of else []
        for step in reversed(path):
            if step in wanted:
                above = [step, *above]
            found[step] = above
        return found[cell]

    return of


# Group → how many people were invited in it, and how many of them read results.
GroupSizes = tuple[Counter[Group], Counter[Group]]


def group_sizes_and_readers(per_cell: PeoplePerCell, tree: IdTree, wanted: set[int]) -> GroupSizes:
    """Group → how many people were invited in it, and how many of them read results, from
    one cycle's people per cell (TwoCycles.per_cell_now or per_cell_then), for the groups of
    the units `wanted` (groups_holding): a unit's people, and its region's. One pass up the
    cycle's tree (InvitedCells.tree): a unit's subtree counts are its own and its children's,
    its region's its own and those of the children not wanted, so a cell costs one step, not
    one per group above it."""
    own: dict[int, list[int]] = {}  # cell → [people, readers]
    for (cell, reads), people in per_cell.items():
        counts = own.setdefault(cell, [0, 0])
        counts[0] += people
        if reads:
            counts[1] += people
    sizes: Counter[Group] = Counter()
    reading: Counter[Group] = Counter()
    # Each cell's subtree counts and the part of them that counts in the region above it.
    subtree: dict[int, tuple[int, int]] = {}
    toward_region: dict[int, tuple[int, int]] = {}
    for cell in tree.bottom_up():
        people, readers = own.pop(cell, (0, 0))
        region_people, region_readers = people, readers
        for child in tree.children_of(cell):
            # A child not walked yet closes a loop of reporting lines: none is counted twice.
            child_people, child_readers = subtree.pop(child, (0, 0))
            people, readers = people + child_people, readers + child_readers
            child_region_people, child_region_readers = toward_region.pop(child, (0, 0))
            region_people += child_region_people
            region_readers += child_region_readers
        subtree[cell] = (people, readers)
        if cell in wanted:
            sizes[(cell, False)], reading[(cell, False)] = people, readers
            sizes[(cell, True)], reading[(cell, True)] = region_people, region_readers
            toward_region[cell] = (0, 0)
        else:
            toward_region[cell] = (region_people, region_readers)
    # A cell outside the tree is a group of its own, as groups_holding finds it.
    for cell, (people, readers) in own.items():
        if cell in wanted:
            for group in (cell, False), (cell, True):
                sizes[group] += people
                reading[group] += readers
    return sizes, reading


def answered_counts(cycle_id: int) -> dict[int, int]:
    """While a cycle is open: answered invitations per reporting unit. Counts only, never who;
    callers show them coarsely and only for units of at least 2k people."""
    counts: dict[int, int] = defaultdict(int)
    for unit_id in Invitation.objects.filter(cycle_id=cycle_id, answered=True).values_list(
        "reporting_unit_id", flat=True
    ):
        counts[unit_id] += 1
    return counts


BANDS = ((0.75, "75% or more"), (0.5, "50 to 75%"), (0.25, "25 to 50%"), (0.0, "under 25%"))


@dataclass(frozen=True)
class ParticipationBand:
    name: str
    eligible: int
    band: str


def open_cycle_bands(cycle: Cycle, today: date | None = None) -> list[ParticipationBand]:
    """Coarse participation while a cycle is open, for units of at least 2k people only, as it
    stood at the first look of the (UTC) day.

    At 2k people a 25-point band spans at least two counts, so it never pins how many answered;
    refreshed once a day, a change of band cannot date anyone's answer finer than the day."""
    if cycle.state != CycleState.OPEN:
        return []
    today = today or timezone.now().date()
    key = f"participation-bands:{cycle.pk}:{today.isoformat()}"
    cached = cache.get(key)
    if cached is not None:
        return [ParticipationBand(*band) for band in cached]
    answered = answered_counts(cycle.pk)
    bands = []
    for unit in CycleTeam.objects.filter(cycle=cycle).order_by("name"):
        if unit.reporting_unit_id != unit.pk or unit.unit_eligible_count < 2 * cycle.k:
            continue
        share = answered.get(unit.pk, 0) / unit.unit_eligible_count
        label = next(text for floor, text in BANDS if share >= floor)
        bands.append(ParticipationBand(unit.name, unit.unit_eligible_count, label))
    cache.set(key, [(b.name, b.eligible, b.band) for b in bands], timeout=2 * 24 * 3600)
    return bands


def with_delivery(cycles: QuerySet[Cycle]) -> QuerySet[Cycle]:
    """`cycles` with what `Delivery.of` reads: the invitations sent so far and those refused."""
    return cycles.annotate(
        sent_so_far=Count("invitations", filter=Q(invitations__emails_sent__gte=1)),
        delivery_failures=Count("invitations", filter=Q(invitations__delivery_failed=True)),
    )


@dataclass(frozen=True)
class Delivery:
    """How a cycle's invitations went out, the same on every page: invited, sent (at least the
    first email left), failed (the address refused it).

    While the cycle is open `sent` is counted from the invitations; close wipes their send
    counters (a reminder count would tell who answered early) and keeps the figure it counted
    in `Cycle.delivered_count`, which is then the figure."""

    invited: int
    sent: int
    failed: int

    @classmethod
    def of(cls, cycle: Cycle) -> "Delivery":
        """`cycle` as `with_delivery` annotated it."""
        sent = cycle.delivered_count
        return cls(
            invited=cycle.invited_count,
            sent=getattr(cycle, "sent_so_far") if sent is None else sent,  # noqa: B009
            failed=getattr(cycle, "delivery_failures"),  # noqa: B009
        )
