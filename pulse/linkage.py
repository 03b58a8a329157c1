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
from pulse.access import User, releases_in_scope
from pulse.linkage_stats import MIN_UNITS, Correlation, correlate, count_units, ranks
from pulse.release_models import ReleasedUnit, ReleaseStatus
from pulse.results import step_of
from pulse.templatetags.figures import shown, shown_enps
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
    survey: float  # the released figure, as stored
    customer: float
    volume: float | None
    teams: int  # org teams whose customer values are in `customer`
    survey_shown: str = ""  # as the pages show it: a coarse release's figure as its range


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
    units: int  # the units the sentence rests on (those of the closest domain, else the most)
    differs: str = ""  # why those are not the chart's units, when they are not


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
    pairing: "Pairing"


def survey_figure(figures: dict, measure: str) -> float | None:
    if measure in (INDEX, ENPS):
        value = figures.get(measure)
        return float(value) if value is not None else None
    domain = figures.get("domains", {}).get(measure)
    return float(domain["score"]) if domain else None


def released_in_scope(user: User, cycle: Cycle) -> list[ReleasedUnit]:
    """Every unit in scope, by name (the unit id keeps equal names in one order, so the API's
    pages of points never lose or repeat one): the correlations are over all of them."""
    units = releases_in_scope(user, cycle.pk).select_related("unit")
    return list(units.order_by("unit__name", "unit_id"))


# Why a unit is not a point of a pairing.
HIDDEN, NO_CUSTOMER_FIGURES, CONTAINING = "hidden", "no customer figures", "containing"


@dataclass(frozen=True)
class Pairing:
    points: list[LinkedPoint]
    left_out: dict[int, str]  # unit id -> HIDDEN, NO_CUSTOMER_FIGURES or CONTAINING
    names: dict[int, str]  # every unit in scope, by id

    def count(self, why: str) -> int:
        return sum(1 for reason in self.left_out.values() if reason == why)


def pair(units: list[ReleasedUnit], measure: str, key: str, rolled: dict[int, dict]) -> Pairing:
    candidates, left_out = [], {}
    for unit in units:
        figure = (
            survey_figure(unit.figures, measure) if unit.status == ReleaseStatus.RELEASED else None
        )
        customer = rolled.get(unit.unit_id, {}).get(key)
        if figure is None:
            left_out[unit.unit_id] = HIDDEN
        elif customer is None:
            left_out[unit.unit_id] = NO_CUSTOMER_FIGURES
        else:
            candidates.append(
                LinkedPoint(
                    unit_id=unit.unit_id,
                    name=unit.unit.name,
                    survey=figure,
                    customer=customer.value,
                    volume=customer.volume,
                    teams=customer.teams,
                    survey_shown=(shown_enps if measure == ENPS else shown)(figure, step_of(unit)),
                )
            )
    tree = IdTree({unit.unit_id: unit.parent_unit_id for unit in units})
    paired = {point.unit_id for point in candidates}
    points = []
    for point in candidates:
        if any(below in paired for below in tree.subtree(point.unit_id)[1:]):
            left_out[point.unit_id] = CONTAINING
        else:
            points.append(point)
    return Pairing(
        points=points, left_out=left_out, names={unit.unit_id: unit.unit.name for unit in units}
    )


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
    pairing = pair(released_in_scope(user, cycle), measure, metric.key, rolled)
    points = pairing.points
    high_ex, low_ex = disagreements(points, metric)
    return LinkedView(
        cycle=cycle,
        measure=measure,
        measure_label=dict(survey_measures())[measure],
        metric=metric,
        lag=lag,
        period=period,
        points=points,
        hidden=pairing.count(HIDDEN),
        without_customer_figures=pairing.count(NO_CUSTOMER_FIGURES),
        containing=pairing.count(CONTAINING),
        pairing=pairing,
        correlation=correlate([p.survey for p in points], [p.customer for p in points]),
        high_ex_low_cx=high_ex,
        low_ex_high_cx=low_ex,
    )


def domain_tracking(
    user: User, cycle: Cycle, *, lag: int, chart: LinkedView | None = None
) -> list[DomainTracking]:
    """For each metric, the domain whose released scores go with it most closely, if any does
    clearly (an interval clear of zero, at MIN_UNITS units or more). Each row says how many
    units it rests on and, beside `chart`, why they are not the chart's units when they differ
    (a domain shown where the chart's figure is hidden, a metric a unit has no figures for)."""
    period = period_after(cycle.period) if lag else cycle.period
    rolled = rolled_up_for_cycle(cycle_id=cycle.pk, period=period)
    units = released_in_scope(user, cycle)
    found = []
    for metric in metrics():
        best: tuple[Domain, Correlation, Pairing] | None = None
        most: tuple[Domain, Correlation, Pairing] | None = None
        for domain in Domain:
            pairing = pair(units, domain.value, metric.key, rolled)
            result = correlate(
                [p.survey for p in pairing.points], [p.customer for p in pairing.points]
            )
            if most is None or result.n > most[1].n:
                most = (domain, result, pairing)
            if not result.enough or result.interval_spans_zero or result.pearson is None:
                continue
            if best is None or abs(result.pearson) > abs(best[1].pearson or 0):
                best = (domain, result, pairing)
        if most is None:
            continue
        domain, result, pairing = best or most
        differs = (
            why_counts_differ(
                rests_on=pairing,
                figure=domain.value,
                metric=metric,
                chart=chart.pairing,
                chart_figure=chart.measure,
                chart_metric=chart.metric,
                period=period,
            )
            if chart is not None
            else ""
        )
        if best is not None:
            label = str(domain.label)
            sentence = f"{label} tracks it most closely: {result.sentence}"
            found.append(DomainTracking(metric, label, result, sentence, result.n, differs))
        elif result.n < MIN_UNITS:
            sentence = f"{count_units(result.n)}: too few to tell."
            found.append(DomainTracking(metric, None, None, sentence, result.n, differs))
        else:
            sentence = "No domain is clearly associated with it."
            found.append(DomainTracking(metric, None, None, sentence, result.n, differs))
    return found


def figure_phrase(measure: str) -> str:
    """'Psychological safety index', 'eNPS', 'Risk and failure score'."""
    label = dict(survey_measures())[measure]
    return label if measure in (INDEX, ENPS) else f"{label} score"


NAMES_LISTED = 4


def listed(names: list[str]) -> str:
    shown = names[:NAMES_LISTED]
    more = len(names) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more else "")


def why_counts_differ(
    *,
    rests_on: Pairing,
    figure: str,
    metric: MetricInfo,
    chart: Pairing,
    chart_figure: str,
    chart_metric: MetricInfo,
    period: str,
) -> str:
    """'' when a row rests on the chart's units; else which units differ and why, in words."""
    here = {point.unit_id for point in rests_on.points}
    there = {point.unit_id for point in chart.points}
    if here == there:
        return ""

    def reason(why: str, measure: str, about: MetricInfo, instead: str) -> str:
        if why == HIDDEN:
            return f"its {figure_phrase(measure)} is hidden"
        if why == NO_CUSTOMER_FIGURES:
            return f"it has no {about.name} figures for {period}"
        return f"a unit inside it counts {instead} instead"

    groups: dict[str, list[str]] = {}
    for unit_id in sorted(here - there, key=lambda unit: rests_on.names[unit]):
        why = reason(chart.left_out.get(unit_id, HIDDEN), chart_figure, chart_metric, "there")
        groups.setdefault(f"counted here, not in the chart ({why})", []).append(
            rests_on.names[unit_id]
        )
    for unit_id in sorted(there - here, key=lambda unit: chart.names[unit]):
        why = reason(rests_on.left_out.get(unit_id, HIDDEN), figure, metric, "here")
        groups.setdefault(f"in the chart, not here ({why})", []).append(chart.names[unit_id])
    parts = [f"{listed(names)}: {what}" for what, names in groups.items()]
    return f"{count_units(len(here))}, not the chart's {len(there)}. " + "; ".join(parts) + "."
