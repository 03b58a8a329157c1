"""Reads behind the dashboards and the results API: released figures, shaped for people."""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from pulse.access import User, led_cycle_teams, visible_unit_ids
from pulse.guides import GUIDES, Guide
from pulse.release_models import ReleasedComment, ReleasedUnit, SuppressionReason
from surveys.instrument import Domain
from surveys.models import Cycle, CycleState, CycleTeam
from surveys.selectors import answered_counts
from teams.roles import is_hr

BANDS = ((0.75, "75% or more"), (0.5, "50 to 75%"), (0.25, "25 to 50%"), (0.0, "under 25%"))


def reason_text(reason: str, k: int) -> str:
    if not reason:
        return ""
    return SuppressionReason(reason).label.format(k=k)


@dataclass
class DomainCell:
    domain: str
    label: str
    score: float | None
    favorable: float | None
    benchmark: float | None = None

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

    @property
    def is_released(self) -> bool:
        return self.released.status == "released"

    @property
    def weakest(self) -> DomainCell | None:
        scored = [cell for cell in self.domains if cell.score is not None]
        return min(scored, key=lambda cell: cell.score) if scored else None

    @property
    def guide(self) -> Guide | None:
        return GUIDES[Domain(self.weakest.domain)] if self.weakest else None


def unit_result(
    released: ReleasedUnit, k: int, benchmark: ReleasedUnit | None = None
) -> UnitResult:
    figures = released.figures.get("domains", {})
    bench = benchmark.figures.get("domains", {}) if benchmark else {}
    return UnitResult(
        released=released,
        name=released.unit.name,
        reason=reason_text(released.reason, k),
        domains=[
            DomainCell(
                domain=domain.value,
                label=domain.label,
                score=figures.get(domain.value, {}).get("score"),
                favorable=figures.get(domain.value, {}).get("favorable"),
                benchmark=bench.get(domain.value, {}).get("score"),
            )
            for domain in Domain
        ],
    )


def released_cycles_for(user: User) -> list[Cycle]:
    """Released cycles with something for this viewer: all for HR, else those in which the
    viewer led a team."""
    cycles = Cycle.objects.filter(release__isnull=False).select_related("cadence")
    if not is_hr(user):
        led = CycleTeam.objects.filter(manager__user_id=user.pk).values("cycle_id")
        cycles = cycles.filter(pk__in=led)
    return list(cycles.order_by("-closes_at"))


@dataclass
class UnitPage:
    """One unit's results page: the unit, the units right below it, the organisation's figures."""

    cycle: Cycle
    selected: UnitResult
    children: list[UnitResult]
    benchmark: ReleasedUnit | None
    parent_id: int | None  # the unit above, when the viewer may see it


def unit_page(user: User, cycle: Cycle, unit_id: int | None) -> UnitPage | None:
    """A constant number of queries, whatever the size of the organisation."""
    parents = dict(CycleTeam.objects.filter(cycle=cycle).values_list("id", "parent_id"))
    roots = set(led_cycle_teams(user, cycle.pk)) if not is_hr(user) else set()
    top = next((team for team, parent in parents.items() if parent is None), None)

    def in_scope(team_id: int) -> bool:
        if is_hr(user):
            return True
        current: int | None = team_id
        while current is not None:
            if current in roots:
                return True
            current = parents.get(current)
        return False

    if unit_id is None:
        candidates = sorted(roots) if roots else ([top] if is_hr(user) and top else [])
        units = ReleasedUnit.objects.filter(cycle=cycle, unit_id__in=candidates)
        released = units.select_related("unit").order_by("unit__name").first()
    else:
        released = (
            ReleasedUnit.objects.filter(cycle=cycle, unit_id=unit_id).select_related("unit").first()
            if in_scope(unit_id)
            else None
        )
    if released is None:
        return None
    released = (
        ReleasedUnit.objects.filter(pk=released.pk)
        .select_related("unit", "cycle")
        .prefetch_related(
            Prefetch("trend_from", queryset=ReleasedUnit.objects.select_related("cycle"))
        )
        .get()
    )
    benchmark = ReleasedUnit.objects.filter(
        cycle=cycle, parent_unit__isnull=True, status="released"
    ).first()
    children = ReleasedUnit.objects.filter(
        cycle=cycle, parent_unit=released.unit_id
    ).select_related("unit")
    parent_id = released.parent_unit_id
    return UnitPage(
        cycle=cycle,
        selected=unit_result(released, cycle.k, benchmark),
        children=[unit_result(child, cycle.k) for child in children.order_by("unit__name")],
        benchmark=benchmark,
        parent_id=parent_id if parent_id is not None and in_scope(parent_id) else None,
    )


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
    shown = [r for r in released if visible is None or r.unit_id in visible]
    depth = unit_depths(released)
    shown.sort(key=lambda r: (depth[r.unit_id], r.unit.name))
    return CycleResults(
        cycle=cycle, units=[unit_result(r, cycle.k, benchmark) for r in shown], benchmark=benchmark
    )


def unit_depths(released: list[ReleasedUnit]) -> dict[int, int]:
    parent = {r.unit_id: r.parent_unit_id for r in released}
    depth = {}
    for unit_id in parent:
        steps, current = 0, parent[unit_id]
        while current is not None:
            steps, current = steps + 1, parent.get(current)
        depth[unit_id] = steps
    return depth


def trend_points(released: ReleasedUnit) -> list[tuple[str, float]]:
    """(period, index) for the earlier releases a trend may use, then this one."""
    points = [
        (earlier.cycle.period, earlier.figures["index"])
        for earlier in released.trend_from.all()
        if earlier.figures.get("index") is not None
    ]
    points.sort()
    if released.figures.get("index") is not None:
        points.append((released.cycle.period, released.figures["index"]))
    return points


def comments_of(released: ReleasedUnit) -> list[str]:
    if not released.comments_released:
        return []
    # Primary keys are random: ordering by them is a shuffle that does not change on reload.
    return list(
        ReleasedComment.objects.filter(released_unit=released)
        .order_by("id")
        .values_list("text", flat=True)
    )


@dataclass(frozen=True)
class ParticipationBand:
    name: str
    eligible: int
    band: str


def open_cycle_bands(cycle: Cycle) -> list[ParticipationBand]:
    """Coarse participation while a cycle is open, for units of at least k people only."""
    if cycle.state != CycleState.OPEN:
        return []
    answered = answered_counts(cycle.pk)
    bands = []
    for unit in CycleTeam.objects.filter(cycle=cycle).order_by("name"):
        if unit.reporting_unit_id != unit.pk or unit.unit_eligible_count < cycle.k:
            continue
        share = answered.get(unit.pk, 0) / unit.unit_eligible_count
        label = next(text for floor, text in BANDS if share >= floor)
        bands.append(ParticipationBand(unit.name, unit.unit_eligible_count, label))
    return bands
