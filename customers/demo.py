"""Demo customer metrics: four metrics, and a value per team and month that follows the team's
climate (teams whose people fare better serve their customers somewhat better), plus noise.

The values go through the real import (customers.services), named by the team leader's
employee_id as a CX export would name them; the generator is seeded, so running the demo again
imports the same values and changes nothing.
"""

import random
from collections.abc import Mapping
from dataclasses import dataclass

from customers.models import Better, Metric, MetricUnit, RollUp
from customers.roles import ensure_cx_admin_group
from customers.services import ValueImportSummary, import_values
from customers.value_file import Record
from teams.models import Team
from teams.org_problems import ProblemLog


@dataclass(frozen=True)
class DemoMetric:
    key: str
    name: str
    unit: str
    better: str
    # The value of a team of average climate, how far one unit of climate moves it (in the
    # direction that is better), the noise, and the range the value is kept in.
    centre: float
    per_climate: float
    noise: float
    low: float
    high: float
    # Each team's typical monthly volume (CSAT answers, NPS answers, tickets) lies in this range.
    volumes: tuple[int, int]


DEMO_METRICS = (
    DemoMetric("csat", "CSAT", MetricUnit.PERCENT, Better.HIGHER, 82, 6, 4, 0, 100, (40, 400)),
    DemoMetric(
        "nps", "Customer NPS", MetricUnit.POINTS, Better.HIGHER, 28, 14, 15, -100, 100, (20, 200)
    ),
    DemoMetric(
        "fcr",
        "First-contact resolution",
        MetricUnit.PERCENT,
        Better.HIGHER,
        71,
        6,
        7,
        0,
        100,
        (100, 900),
    ),
    DemoMetric(
        "first_response_minutes",
        "Median first response",
        MetricUnit.MINUTES,
        Better.LOWER,
        42,
        9,
        10,
        2,
        240,
        (100, 900),
    ),
)
# The demo's climates (operations.demo) lie between 3.6 and 5.9 on the 1-7 scale.
AVERAGE_CLIMATE = 4.75


def seed_demo_metrics() -> list[Metric]:
    ensure_cx_admin_group()
    metrics = []
    for demo in DEMO_METRICS:
        metric, _ = Metric.objects.get_or_create(
            key=demo.key,
            defaults={
                "name": demo.name,
                "unit": demo.unit,
                "better": demo.better,
                "roll_up": RollUp.WEIGHTED_MEAN,
            },
        )
        metrics.append(metric)
    return metrics


def seed_demo_values(*, climate_by_month: Mapping[str, Mapping[int, float]]) -> ValueImportSummary:
    """A value of every demo metric for every team of `climate_by_month` (month → team id →
    the climate its people answered in, 1-7) and month."""
    seed_demo_metrics()
    leader_of = dict(Team.objects.values_list("id", "manager__employee_id"))
    # Synthetic demo figures, reproducible on purpose: no secret comes from this generator.
    rng = random.Random(14)
    records: list[Record] = []
    for month in sorted(climate_by_month):
        climates = climate_by_month[month]
        for team_id in sorted(climates, key=lambda team: leader_of.get(team, "")):
            if team_id not in leader_of:
                continue
            for demo in DEMO_METRICS:
                direction = 1 if demo.better == Better.HIGHER else -1
                value = (
                    demo.centre
                    + direction * demo.per_climate * (climates[team_id] - AVERAGE_CLIMATE)
                    + rng.gauss(0, demo.noise)
                )
                value = min(demo.high, max(demo.low, value))
                volume = rng.randint(*demo.volumes)
                records.append(
                    Record(
                        line=len(records) + 2,
                        fields={
                            "team": leader_of[team_id],
                            "period": month,
                            "metric": demo.key,
                            "value": f"{value:.1f}",
                            "volume": str(volume),
                        },
                    )
                )
    if not records:
        return ValueImportSummary(created=0, updated=0, unchanged=0)
    return import_values(records=records, problems=ProblemLog())
