"""The manager's "Customers" panel: each customer metric of the unit for the survey's period and
the period after, and its trend over the same releases as the index trend, on the same axis.

The customer figures cover exactly the teams the unit's survey figures cover (the cycle's
snapshot, rolled up as customers.selectors does it); the panel is shown only beside released
figures, and its trend only at the releases the index trend already shows to this viewer.
"""

from dataclasses import dataclass

from customers.selectors import (
    MetricInfo,
    RolledValue,
    metrics,
    period_after,
    rolled_up_for_cycle,
)
from pulse.charts import TrendChart, series_chart
from pulse.release_models import ReleasedUnit


@dataclass(frozen=True)
class CustomerRow:
    metric: MetricInfo
    this_period: RolledValue | None
    next_period: RolledValue | None
    trend: list[tuple[str, float | None]]  # (survey period, value) on the index trend's axis
    chart: TrendChart | None


@dataclass(frozen=True)
class CustomerPanel:
    period: str
    next_period: str
    rows: list[CustomerRow]


def customer_panel(
    released: ReleasedUnit, earlier: list[ReleasedUnit], trend_labels: list[str]
) -> CustomerPanel | None:
    """`earlier` are the earlier releases this viewer may read (pulse.results), `trend_labels`
    the periods of the index trend drawn above the panel."""
    defined = metrics()
    if not defined or released.status != "released":
        return None
    cycle = released.cycle
    later = period_after(cycle.period)
    now = rolled_up_for_cycle(cycle_id=cycle.pk, period=cycle.period).get(released.unit_id, {})
    after = rolled_up_for_cycle(cycle_id=cycle.pk, period=later).get(released.unit_id, {})
    at_release: dict[str, dict[str, RolledValue]] = {cycle.period: now}
    for before in earlier:
        if before.cycle.period in trend_labels:
            rolled = rolled_up_for_cycle(cycle_id=before.cycle_id, period=before.cycle.period)
            at_release[before.cycle.period] = rolled.get(before.unit_id, {})
    rows = []
    for metric in defined:
        trend = [
            (label, value.value if (value := at_release.get(label, {}).get(metric.key)) else None)
            for label in trend_labels
        ]
        this_period, next_period = now.get(metric.key), after.get(metric.key)
        if this_period is None and next_period is None and all(v is None for _, v in trend):
            continue
        rows.append(
            CustomerRow(
                metric=metric,
                this_period=this_period,
                next_period=next_period,
                trend=trend,
                chart=series_chart(trend_labels, [value for _, value in trend]),
            )
        )
    return CustomerPanel(period=cycle.period, next_period=later, rows=rows) if rows else None
