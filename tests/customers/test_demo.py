"""The demo has customer metrics beside its released cycles, related to the teams' climate."""

from io import StringIO

import pytest
from django.core.management import call_command

from customers.models import Metric, MetricValue
from customers.selectors import period_after, rolled_up_for_cycle
from pulse.release_models import ReleasedUnit, ReleaseStatus
from surveys.models import Cycle

pytestmark = pytest.mark.django_db


def ranks(values: list[float]) -> list[int]:
    order = sorted(range(len(values)), key=lambda position: values[position])
    result = [0] * len(values)
    for rank, position in enumerate(order):
        result[position] = rank
    return result


def test_the_demo_has_four_metrics_for_every_team_in_its_months_and_better_teams_serve_better() -> (
    None
):
    call_command("seed_demo", stdout=StringIO())
    assert sorted(Metric.objects.values_list("key", "better")) == [
        ("csat", "higher"),
        ("fcr", "higher"),
        ("first_response_minutes", "lower"),
        ("nps", "higher"),
    ]
    cycles = list(Cycle.objects.filter(release__isnull=False).order_by("opens_at"))
    months = {cycle.period for cycle in cycles} | {period_after(cycles[-1].period)}
    assert set(MetricValue.objects.values_list("period", flat=True)) == months
    count = MetricValue.objects.count()
    assert count == 4 * len(months) * MetricValue.objects.values("team").distinct().count()

    # The first cycle's release, in whole points everywhere: the next is coarse where not
    # everyone answered (pulse.trends), and its ties would blur the ranks.
    first = cycles[0]
    released = {
        unit.unit_id: unit.figures["index"]
        for unit in ReleasedUnit.objects.filter(cycle=first, status=ReleaseStatus.RELEASED)
        if unit.figures.get("index") is not None
    }
    rolled = rolled_up_for_cycle(cycle_id=first.pk, period=first.period)
    units = sorted(released)
    index_ranks = ranks([released[unit] for unit in units])
    csat_ranks = ranks([rolled[unit]["csat"].value for unit in units])
    # Spearman's rho of the released units' index and CSAT: clearly positive.
    n = len(units)
    rho = 1 - 6 * sum((a - b) ** 2 for a, b in zip(index_ranks, csat_ranks, strict=True)) / (
        n * (n * n - 1)
    )
    assert n >= 4
    assert rho > 0.3

    call_command("seed_demo", stdout=StringIO())
    assert MetricValue.objects.count() == count
