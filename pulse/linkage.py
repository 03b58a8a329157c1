"""Employees beside customers: released survey figures paired with customer metrics, unit by
unit, for HR's page, its CSV and the API (docs/cx-metrics.md, "How to read the correlation").

Only released figures are paired. A unit whose figure is hidden by the anonymity rules (the
whole unit, or just the chosen domain or eNPS) is left out and counted, never imputed. Units
nest (a department's figures include its teams' people), so a unit that contains another
paired unit is left out too: each person's answers then count in one point at most, and the
points are as independent as the organisation allows.
"""

from dataclasses import dataclass

from customers.selectors import MetricInfo, metrics, period_after, rolled_up_for_cycle
from pulse.access import User, visible_unit_ids
from pulse.linkage_stats import MIN_UNITS, Correlation, correlate, count_units, ranks
from pulse.release_models import ReleasedUnit, ReleaseStatus
from surveys.instrument import Domain
from surveys.models import Cycle
from teams.tree_walks import IdTree

INDEX, ENPS = "index", "enps"
DISAGREEMENTS_SHOWN = 3


def survey_measures() -> list[tuple[str, str]]:
    """(key, label) of what may go on the x axis."""
    return [
        (INDEX, "Psychological safety index"),
        *((domain.value, str(domain.label)) for domain in Domain),
        (ENPS, "eNPS"),
    ]


@dataclass(frozen=True)
class LinkedPoint:
    unit_id: int
    name: str
    survey: float  # the released figure, as the pages show it
    customer: float
    volume: float | None
    teams: int  # org teams whose customer values are in `customer`


@dataclass(frozen=True)
class Disagreement:
    point: LinkedPoint
    survey_rank: float  # 1 = lowest survey figure
    customer_rank: float  # 1 = worst customer figure, whichever direction is better


@dataclass(frozen=True)
class DomainTracking:
    metric: MetricInfo
    closest: str | None  # the domain's label, when one clearly tracks the metric
    correlation: Correlation | None
    sentence: str


@dataclass(frozen=True)
class LinkedView:
    cycle: Cycle
    measure: str
    measure_label: str
    metric: MetricInfo
    lag: int
    period: str  # the customer figures' period
    points: list[LinkedPoint]
    hidden: int  # released units in scope whose chosen figure the anonymity rules hide
    without_customer_figures: int
    containing: int  # left out because they contain a paired unit
    correlation: Correlation
    high_ex_low_cx: list[Disagreement]
    low_ex_high_cx: list[Disagreement]


def survey_figure(figures: dict, measure: str) -> float | None:
    if measure in (INDEX, ENPS):
        value = figures.get(measure)
        return float(value) if value is not None else None
    domain = figures.get("domains", {}).get(measure)
    return float(domain["score"]) if domain else None


def released_in_scope(user: User, cycle: Cycle) -> list[ReleasedUnit]:
    visible = visible_unit_ids(user, cycle.pk)
    units = ReleasedUnit.objects.filter(cycle=cycle).select_related("unit").order_by("unit__name")
    return [unit for unit in units if visible is None or unit.unit_id in visible]


def pair(
    units: list[ReleasedUnit], measure: str, key: str, rolled: dict[int, dict]
) -> tuple[list[LinkedPoint], int, int, int]:
    """(points, hidden, without customer figures, containing another point)."""
    candidates, hidden, missing = [], 0, 0
    for unit in units:
        figure = (
            survey_figure(unit.figures, measure) if unit.status == ReleaseStatus.RELEASED else None
        )
        customer = rolled.get(unit.unit_id, {}).get(key)
        if figure is None:
            hidden += 1
        elif customer is None:
            missing += 1
        else:
            candidates.append(
                LinkedPoint(
                    unit_id=unit.unit_id,
                    name=unit.unit.name,
                    survey=figure,
                    customer=customer.value,
                    volume=customer.volume,
                    teams=customer.teams,
                )
            )
    tree = IdTree({unit.unit_id: unit.parent_unit_id for unit in units})
    paired = {point.unit_id for point in candidates}
    points = [
        point
        for point in candidates
        if not any(below in paired for below in tree.subtree(point.unit_id)[1:])
    ]
    return points, hidden, missing, len(candidates) - len(points)


def disagreements(
    points: list[LinkedPoint], metric: MetricInfo
) -> tuple[list[Disagreement], list[Disagreement]]:
    """Units whose survey rank and customer rank lie furthest apart, each way."""
    if len(points) < 2:
        return [], []
    sign = -1.0 if metric.better == "lower" else 1.0
    survey_ranks = ranks([point.survey for point in points])
    customer_ranks = ranks([sign * point.customer for point in points])
    rows = [
        Disagreement(point, survey_rank, customer_rank)
        for point, survey_rank, customer_rank in zip(
            points, survey_ranks, customer_ranks, strict=True
        )
    ]

    def gap(row: Disagreement) -> float:
        return row.survey_rank - row.customer_rank

    # Half a rank apart is a tie on one side, not a disagreement.
    high_ex = sorted((row for row in rows if gap(row) >= 1), key=lambda row: -gap(row))
    low_ex = sorted((row for row in rows if gap(row) <= -1), key=gap)
    return high_ex[:DISAGREEMENTS_SHOWN], low_ex[:DISAGREEMENTS_SHOWN]


def linked_view(
    user: User, cycle: Cycle, *, measure: str, metric: MetricInfo, lag: int
) -> LinkedView:
    period = period_after(cycle.period) if lag else cycle.period
    rolled = rolled_up_for_cycle(cycle_id=cycle.pk, period=period)
    points, hidden, missing, containing = pair(
        released_in_scope(user, cycle), measure, metric.key, rolled
    )
    high_ex, low_ex = disagreements(points, metric)
    return LinkedView(
        cycle=cycle,
        measure=measure,
        measure_label=dict(survey_measures())[measure],
        metric=metric,
        lag=lag,
        period=period,
        points=points,
        hidden=hidden,
        without_customer_figures=missing,
        containing=containing,
        correlation=correlate([p.survey for p in points], [p.customer for p in points]),
        high_ex_low_cx=high_ex,
        low_ex_high_cx=low_ex,
    )


def domain_tracking(user: User, cycle: Cycle, *, lag: int) -> list[DomainTracking]:
    """For each metric, the domain whose released scores go with it most closely, if any does
    clearly (an interval clear of zero, at MIN_UNITS units or more)."""
    period = period_after(cycle.period) if lag else cycle.period
    rolled = rolled_up_for_cycle(cycle_id=cycle.pk, period=period)
    units = released_in_scope(user, cycle)
    found = []
    for metric in metrics():
        best: tuple[str, Correlation] | None = None
        most = 0
        for domain in Domain:
            points = pair(units, domain.value, metric.key, rolled)[0]
            result = correlate([p.survey for p in points], [p.customer for p in points])
            most = max(most, result.n)
            if not result.enough or result.interval_spans_zero or result.pearson is None:
                continue
            if best is None or abs(result.pearson) > abs(best[1].pearson or 0):
                best = (str(domain.label), result)
        if best is not None:
            label, result = best
            sentence = f"{label} tracks it most closely: {result.sentence}"
            found.append(DomainTracking(metric, label, result, sentence))
        elif most < MIN_UNITS:
            sentence = f"{count_units(most)}: too few to tell."
            found.append(DomainTracking(metric, None, None, sentence))
        else:
            found.append(
                DomainTracking(metric, None, None, "No domain is clearly associated with it.")
            )
    return found
