"""Reads behind the dashboards and the results API: released figures, shaped for people."""

from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Case, Count, F, Prefetch, Q, When, Window
from django.db.models.functions import Coalesce, RowNumber

from pulse.access import (
    User,
    led_cycle_teams,
    may_see,
    reads_everything,
    visible_unit_ids,
    within_led_teams,
)
from pulse.disclosure import Suppression
from pulse.guides import GUIDES, Guide
from pulse.release_models import ReleasedUnit
from surveys.instrument import Domain
from surveys.models import Cycle, CycleTeam
from surveys.selectors import (
    ancestors_of,
    answers_cell_id,
    cycles_led_by,
    cycles_read_as_hr,
    subtree_ids,
)
from teams.roles import is_hr


def reason_text(reason: str, k: int) -> str:
    if not reason:
        return ""
    return Suppression(reason).sentence(k)


def step_of(released: ReleasedUnit) -> int:
    """Points per step of the release's scores (pulse.trends.coarse_step); 1 in whole points."""
    return int(released.figures.get("precision", 1))


@dataclass
class DomainCell:
    domain: str
    label: str
    score: float | None
    favorable: float | None
    benchmark: float | None = None
    # Points per step of the benchmark's own release: the organisation's figure can be coarse.
    benchmark_step: int = 1
    reason: str = ""  # why the score is hidden, when it is

    @property
    def heat(self) -> int:
        """0 (worst) to 4 (best): the colour step of a heatmap cell."""
        return min(4, int(self.score // 20)) if self.score is not None else -1


@dataclass
class UnitResult:
    released: ReleasedUnit
    name: str
    reason: str
    domains: list[DomainCell] = field(default_factory=list)
    depth: int = 0  # in the tree of reporting units, for the heatmap's indentation
    # Teams smaller than k whose answers are counted in this unit: their names (on the pages,
    # only the first few), and how many there are in all when more than those are named.
    counted_here: list[str] = field(default_factory=list)
    counted_here_total: int = 0
    enps_reason: str = ""

    @property
    def depth_class(self) -> str:
        return f"depth-{min(self.depth, MAX_DEPTH_CLASS)}"

    @property
    def counted_here_named(self) -> str:
        """The teams counted here, the first few by name: a unit near the top of a large
        organisation can hold hundreds, and a row must not grow with them."""
        named = ", ".join(self.counted_here[:NAMED_SMALL_TEAMS])
        more = max(self.counted_here_total, len(self.counted_here)) - NAMED_SMALL_TEAMS
        return f"{named} and {more} more teams" if more > 0 else named

    @property
    def is_coarse(self) -> bool:
        return self.step > 1

    @property
    def step(self) -> int:
        """Points per step of the scores shown (eNPS: twice this)."""
        return step_of(self.released)

    @property
    def is_released(self) -> bool:
        return self.released.status == "released"

    @property
    def lowest(self) -> list[DomainCell]:
        """The domains at the lowest score shown: several when they are level, as coarse
        steps often make them."""
        keys = lowest_of({cell.domain: cell.score for cell in self.domains})
        return [cell for cell in self.domains if cell.domain in keys]

    @property
    def weakest(self) -> DomainCell | None:
        """The one lowest domain, or None when none is shown or several are level: the
        figures do not say which of those is weaker, so the team chooses."""
        lowest = self.lowest
        return lowest[0] if len(lowest) == 1 else None

    @property
    def level_lowest(self) -> str:
        """ "A and B are level at the bottom", when several domains are; "All 4 domains are
        level" when every domain shown is."""
        labels = [cell.label for cell in self.lowest]
        if len(labels) < 2:
            return ""
        if len(labels) == len([cell for cell in self.domains if cell.score is not None]):
            return f"All {len(labels)} domains are level"
        return " and ".join([", ".join(labels[:-1]), labels[-1]]) + " are level at the bottom"

    @property
    def guide(self) -> Guide | None:
        return GUIDES[Domain(self.weakest.domain)] if self.weakest else None


def lowest_of(scores: dict[str, float | None]) -> list[str]:
    """The keys at the lowest score shown (None is not shown): one, several when level, or
    none. Only a single lowest is a weakest domain: the figures do not order level ones."""
    shown = {key: score for key, score in scores.items() if score is not None}
    bottom = min(shown.values(), default=None)
    return [key for key, score in shown.items() if score == bottom]


MAX_DEPTH_CLASS = 8
# Small teams named in a unit's "also counts" line; the rest are counted.
NAMED_SMALL_TEAMS = 5


@dataclass(frozen=True)
class CountedHere:
    """The small teams counted in a unit: names by name (the first NAMED_SMALL_TEAMS where
    counted_here_of reads them, all of them for cycle_results), and how many in all."""

    first_names: list[str]
    total: int


def unit_result(
    released: ReleasedUnit,
    k: int,
    benchmark: ReleasedUnit | None = None,
    *,
    depth: int = 0,
    counted_here: CountedHere | None = None,
) -> UnitResult:
    figures = released.figures.get("domains", {})
    hidden = released.figures.get("hidden", {})
    bench = benchmark.figures.get("domains", {}) if benchmark else {}
    bench_step = step_of(benchmark) if benchmark else 1
    return UnitResult(
        released=released,
        name=released.unit.name,
        reason=with_destination(reason_text(released.reason, k), released.unit),
        domains=[
            DomainCell(
                domain=domain.value,
                label=domain.label,
                score=figures.get(domain.value, {}).get("score"),
                favorable=figures.get(domain.value, {}).get("favorable"),
                benchmark=bench.get(domain.value, {}).get("score"),
                benchmark_step=bench_step,
                reason=reason_text(hidden.get(domain.value, "too_few_responses"), k)
                if domain.value not in figures
                else "",
            )
            for domain in Domain
        ],
        depth=depth,
        counted_here=counted_here.first_names if counted_here else [],
        counted_here_total=counted_here.total if counted_here else 0,
        enps_reason=reason_text(hidden.get("enps", ""), k),
    )


def with_destination(reason: str, unit: CycleTeam) -> str:
    """A unit whose few answers were moved into another unit at close says where they went
    (read with the unit when the query selected `unit__answers_counted_in`)."""
    if not reason or answers_cell_id(unit) == unit.pk:
        return reason
    cell = answers_cell_id(unit)
    moved_to = unit.answers_counted_in
    name = moved_to.name if moved_to is not None and moved_to.pk == cell else unit_name(cell)
    return f"{reason}; its answers are counted in {name}"


@dataclass(frozen=True)
class SmallTeam:
    """A team whose answers were counted in another unit: merged at launch because it had
    fewer than k people, or moved at close because it had fewer than k answers."""

    team_id: int
    name: str
    counted_in_id: int
    counted_in: str
    too_few: str  # "people" or "answers"


def small_teams(
    cycle: Cycle, *, counted_in: int | list[int] | None = None, led_by: User | None = None
) -> list[SmallTeam]:
    """Teams whose answers are counted in another unit: all of the cycle's, or only those
    counted in one unit (or in a page of units), or only those a manager led (never org-wide
    then: a constant number of queries, reading only those teams)."""
    teams = CycleTeam.objects.filter(cycle=cycle).select_related("reporting_unit")
    cells = [counted_in] if isinstance(counted_in, int) else counted_in
    if cells is not None:
        teams = teams.filter(
            Q(reporting_unit_id__in=cells)
            | Q(answers_counted_in_id__in=cells)
            | Q(reporting_unit__answers_counted_in_id__in=cells)
        )
    if led_by is not None:
        teams = teams.filter(pk__in=led_cycle_teams(led_by, cycle.pk))
    listed = list(teams)
    units = {unit.pk: unit for unit in (team.reporting_unit for team in listed) if unit is not None}
    moved = []
    for team in listed:
        cell = answers_cell_id(team, units)
        if cell != team.pk and (cells is None or cell in cells):
            moved.append((team, cell))
    names = {unit_id: unit.name for unit_id, unit in units.items()}
    missing = {cell for _, cell in moved if cell not in names}
    if missing:
        names.update(
            CycleTeam.objects.filter(cycle=cycle, pk__in=missing).values_list("id", "name")
        )
    return [
        SmallTeam(
            team.pk,
            team.name,
            cell,
            names.get(cell, ""),
            "people" if team.reporting_unit_id != team.pk else "answers",
        )
        for team, cell in moved
    ]


def counted_here_of(cycle: Cycle, unit_ids: list[int]) -> dict[int, CountedHere]:
    """For each of `unit_ids`, the teams counted in it (as small_teams finds them): the first
    few names and how many in all. Three queries, reading at most NAMED_SMALL_TEAMS names per
    unit: a unit near the top of a large organisation holds thousands of small teams, and its
    page must not read them all to name five."""
    # The units whose answers went into these at close: their teams are counted here too.
    # Read first, so that the query below is two indexed conditions: with a join or a
    # subquery in its OR, the database reads every team of the cycle to find a few (110 ms
    # of HR's heatmap at a million people, against 5).
    merged_in = list(
        CycleTeam.objects.filter(cycle=cycle, answers_counted_in_id__in=unit_ids).values_list(
            "id", flat=True
        )
    )
    counted = (
        CycleTeam.objects.filter(
            Q(reporting_unit_id__in=[*unit_ids, *merged_in]) | Q(answers_counted_in_id__in=unit_ids)
        )
        .annotate(cell=answers_cell())
        .filter(cell__in=unit_ids)
        .exclude(cell=F("id"))
    )
    totals = dict(
        counted.order_by().values("cell").annotate(teams=Count("id")).values_list("cell", "teams")
    )
    first: dict[int, list[str]] = {}
    named = counted.annotate(
        rank=Window(RowNumber(), partition_by=[F("cell")], order_by=[F("name"), F("id")])
    ).filter(rank__lte=NAMED_SMALL_TEAMS)
    for cell, name in named.order_by("cell", "name", "id").values_list("cell", "name"):
        first.setdefault(cell, []).append(name)
    return {cell: CountedHere(first.get(cell, []), total) for cell, total in totals.items()}


def answers_cell() -> Case:
    """surveys.selectors.answers_cell_id in SQL: a team merged at launch (its reporting unit
    another team) is counted where its unit's answers went; a unit, where its own went."""
    own_unit = Q(reporting_unit__isnull=True) | Q(reporting_unit_id=F("id"))
    return Case(
        When(own_unit, then=Coalesce("answers_counted_in_id", "id")),
        default=Coalesce("reporting_unit__answers_counted_in_id", "reporting_unit_id"),
    )


def unit_name(cycle_team_id: int) -> str:
    return CycleTeam.objects.filter(pk=cycle_team_id).values_list("name", flat=True).first() or ""


def counted_in_sentence(team: SmallTeam, k: int) -> str:
    return (
        f"{team.name} has fewer than {k} {team.too_few}, so its answers are counted in "
        f"{team.counted_in}, and shown only as part of {team.counted_in}'s results."
    )


def led_small_teams(user: User, cycle: Cycle) -> list[SmallTeam]:
    """The teams this manager led in the cycle that were too small to be shown on their own."""
    return small_teams(cycle, led_by=user)


def released_cycles_for(user: User) -> list[Cycle]:
    """Released cycles with something for this viewer: those that closed while it was HR, and
    those in which it led a team."""
    cycles = Cycle.objects.filter(release__isnull=False).select_related("cadence")
    readable = Q(pk__in=cycles_led_by(user.pk or 0))
    if is_hr(user):
        readable |= Q(pk__in=cycles_read_as_hr(user.pk or 0).values("cycle_id"))
    return list(cycles.filter(readable).order_by("-closes_at"))


# Units listed per page below a unit, and per page of search results.
UNITS_PER_PAGE = 50


@dataclass
class UnitPage:
    """One unit's results page: the unit, a page of the units right below it (or of the units
    under it that match a search), the organisation's figures."""

    cycle: Cycle
    selected: UnitResult
    children: list[UnitResult]
    benchmark: ReleasedUnit | None
    parent_id: int | None  # the unit above, when the viewer may see it
    page: int = 1
    has_next: bool = False
    search: str = ""


def unit_page(
    user: User, cycle: Cycle, unit_id: int | None, *, page: int = 1, search: str = ""
) -> UnitPage | None:
    """A constant number of queries, and rows read only for what the page shows: the unit, its
    ancestors (for the viewer's scope), one page of units below it."""
    everything = reads_everything(user, cycle.pk)
    led = led_cycle_teams(user, cycle.pk) if not everything else []
    if unit_id is None:
        candidates = (
            sorted(led)
            if led
            else list(
                CycleTeam.objects.filter(cycle=cycle, parent__isnull=True)
                .order_by("name", "pk")
                .values_list("pk", flat=True)[:1]
            )
            if everything
            else []
        )
        units = ReleasedUnit.objects.filter(cycle=cycle, unit_id__in=candidates)
        released = units.select_related("unit").order_by("unit__name").first()
        ancestors = ancestors_of(released.unit_id) if released and not everything else []
    else:
        ancestors = ancestors_of(unit_id) if not everything else []
        released = (
            ReleasedUnit.objects.filter(cycle=cycle, unit_id=unit_id).select_related("unit").first()
            if everything or within_led_teams(led, unit_id, ancestors)
            else None
        )
    if released is None:
        return None
    released = (
        ReleasedUnit.objects.filter(pk=released.pk)
        # The unit's manager: whether the viewer may write its focus (pulse.loop).
        .select_related("unit", "unit__manager", "cycle")
        .prefetch_related(
            Prefetch("trend_from", queryset=ReleasedUnit.objects.select_related("cycle"))
        )
        .get()
    )
    benchmark = ReleasedUnit.objects.filter(
        cycle=cycle, parent_unit__isnull=True, status="released"
    ).first()
    children, has_next = units_below(released, page=page, search=search)
    parent_id = released.parent_unit_id
    if parent_id is not None and not everything:
        above = ancestors[ancestors.index(parent_id) + 1 :] if parent_id in ancestors else []
        parent_id = parent_id if within_led_teams(led, parent_id, above) else None
    counted_here = counted_here_of(cycle, [released.unit_id]).get(released.unit_id)
    return UnitPage(
        cycle=cycle,
        selected=unit_result(released, cycle.k, benchmark, counted_here=counted_here),
        children=[unit_result(child, cycle.k) for child in children],
        benchmark=benchmark,
        parent_id=parent_id,
        page=page,
        has_next=has_next,
        search=search,
    )


def units_below(
    released: ReleasedUnit, *, page: int = 1, search: str = ""
) -> tuple[list[ReleasedUnit], bool]:
    """One page of the units right below `released`, by name; with `search`, of the units
    anywhere below it whose team or manager name contains it. And whether a next page exists."""
    below = ReleasedUnit.objects.filter(cycle_id=released.cycle_id).select_related(
        "unit", "unit__answers_counted_in"
    )
    if search:
        below = below.filter(
            Q(unit__name__icontains=search) | Q(unit__manager_name__icontains=search),
            unit_id__in=subtree_ids([released.unit_id]),
        ).exclude(unit_id=released.unit_id)
    else:
        below = below.filter(parent_unit=released.unit_id)
    start = (max(page, 1) - 1) * UNITS_PER_PAGE
    rows = list(below.order_by("unit__name", "unit_id")[start : start + UNITS_PER_PAGE + 1])
    return rows[:UNITS_PER_PAGE], len(rows) > UNITS_PER_PAGE


@dataclass
class CycleResults:
    cycle: Cycle
    units: list[UnitResult]  # visible to the viewer, top-down
    benchmark: ReleasedUnit | None  # the organisation's own figures


def cycle_results(user: User, cycle: Cycle) -> CycleResults:
    visible = visible_unit_ids(user, cycle.pk)
    released = list(
        ReleasedUnit.objects.filter(cycle=cycle)
        .select_related("unit")
        .prefetch_related(
            Prefetch("trend_from", queryset=ReleasedUnit.objects.select_related("cycle"))
        )
        .order_by("unit__name")
    )
    top = next((r for r in released if r.parent_unit_id is None), None)
    benchmark = top if top is not None and top.status == "released" else None
    shown = {r.unit_id for r in released if visible is None or r.unit_id in visible}
    depth = unit_depths(released)
    counted_here: dict[int, list[str]] = {}
    for team in small_teams(cycle):
        counted_here.setdefault(team.counted_in_id, []).append(team.name)
    counted = {unit: CountedHere(sorted(names), len(names)) for unit, names in counted_here.items()}
    units = [
        unit_result(
            r,
            cycle.k,
            benchmark,
            depth=depth[r.unit_id],
            counted_here=counted.get(r.unit_id),
        )
        for r in tree_order(released)
        if r.unit_id in shown
    ]
    return CycleResults(cycle=cycle, units=units, benchmark=benchmark)


def tree_order(released: list[ReleasedUnit]) -> list[ReleasedUnit]:
    """Depth first, each unit followed by the units below it, siblings by name."""
    children: dict[int | None, list[ReleasedUnit]] = {}
    ids = {r.unit_id for r in released}
    for r in released:
        parent = r.parent_unit_id if r.parent_unit_id in ids else None
        children.setdefault(parent, []).append(r)
    ordered: list[ReleasedUnit] = []
    frontier = sorted(children.get(None, []), key=lambda r: r.unit.name, reverse=True)
    while frontier:
        current = frontier.pop()
        ordered.append(current)
        below = sorted(children.get(current.unit_id, []), key=lambda r: r.unit.name, reverse=True)
        frontier.extend(below)
    return ordered


def unit_depths(released: list[ReleasedUnit]) -> dict[int, int]:
    parent = {r.unit_id: r.parent_unit_id for r in released}
    depth = {}
    for unit_id in parent:
        steps, current = 0, parent[unit_id]
        while current is not None:
            steps, current = steps + 1, parent.get(current)
        depth[unit_id] = steps
    return depth


def earlier_releases_for(user: User, released: ReleasedUnit) -> list[ReleasedUnit]:
    """The earlier releases a trend may use that this viewer may read, oldest first. An HR
    login made HR after an earlier survey closed was not counted as a reader of it, so its
    figures are not shown to that login here either."""
    return sorted(
        (
            earlier
            for earlier in released.trend_from.all()
            if may_see(user, earlier.cycle_id, earlier.unit_id)
        ),
        key=lambda earlier: earlier.cycle.closes_at,
    )


class TrendPoint(NamedTuple):
    """One release's index on a trend, with the step it was released in: a coarse release's
    index is shown as the range it stands for, like everywhere else (pulse.templatetags)."""

    period: str
    value: float  # the index as released
    step: int


def trend_point(released: ReleasedUnit) -> TrendPoint:
    figures = released.figures
    return TrendPoint(released.cycle.period, figures["index"], step_of(released))


def trend_points(released: ReleasedUnit, earlier: list[ReleasedUnit]) -> list[TrendPoint]:
    """The index of the `earlier` releases (earlier_releases_for), then this one's."""
    points = sorted(
        trend_point(before) for before in earlier if before.figures.get("index") is not None
    )
    if released.figures.get("index") is not None:
        points.append(trend_point(released))
    return points
