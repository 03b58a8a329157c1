"""Reads of customer metrics: what is defined, and each metric rolled up onto a cycle's
reporting units the way the survey rolls up people (docs/cx-metrics.md)."""

from dataclasses import dataclass

from customers.models import Metric, MetricValue, RollUp
from surveys.models import CycleTeam
from teams.tree_walks import IdTree


@dataclass(frozen=True)
class MetricInfo:
    key: str
    name: str
    unit: str
    better: str
    roll_up: str


@dataclass(frozen=True)
class RolledValue:
    value: float
    volume: float | None
    teams: int


def metrics() -> list[MetricInfo]:
    return [
        MetricInfo(key=m.key, name=m.name, unit=m.unit, better=m.better, roll_up=m.roll_up)
        for m in Metric.objects.order_by("name")
    ]


def months_of(period: str) -> list[str]:
    """The months a cycle's period covers: "2026-Q4" -> 2026-10, 2026-11, 2026-12."""
    year, rest = period.split("-")
    if rest.startswith("Q"):
        first = (int(rest[1:]) - 1) * 3 + 1
        return [f"{year}-{month:02d}" for month in range(first, first + 3)]
    return [period]


def period_after(period: str) -> str:
    """The period of the same length that follows: 2026-11 -> 2026-12, 2026-Q4 -> 2027-Q1."""
    year_text, rest = period.split("-")
    year = int(year_text)
    if rest.startswith("Q"):
        quarter = int(rest[1:])
        return f"{year + 1}-Q1" if quarter == 4 else f"{year}-Q{quarter + 1}"
    month = int(rest)
    return f"{year + 1}-01" if month == 12 else f"{year}-{month + 1:02d}"


def rolled_up_for_cycle(*, cycle_id: int, period: str) -> dict[int, dict[str, RolledValue]]:
    """Reporting unit (CycleTeam id) -> metric key -> the metric over the teams of the unit's
    subtree in the cycle's snapshot and the months of `period`. A unit without any value of a
    metric has no entry for it: nothing is imputed."""
    snapshot = list(
        CycleTeam.objects.filter(cycle_id=cycle_id).values_list(
            "id", "parent_id", "team_id", "reporting_unit_id"
        )
    )
    tree = IdTree({team_id: parent for team_id, parent, _, _ in snapshot})
    org_team = {cycle_team: team for cycle_team, _, team, _ in snapshot}
    values = MetricValue.objects.filter(
        period__in=months_of(period), team_id__in={t for t in org_team.values() if t is not None}
    ).select_related("metric")
    by_team: dict[int, list[MetricValue]] = {}
    for value in values:
        by_team.setdefault(value.team_id, []).append(value)

    rolled: dict[int, dict[str, RolledValue]] = {}
    for unit_id, _, _, reporting_unit in snapshot:
        if reporting_unit != unit_id:
            continue
        found: dict[str, list[MetricValue]] = {}
        for member in tree.subtree(unit_id):
            team = org_team.get(member)
            for value in by_team.get(team, []) if team is not None else []:
                found.setdefault(value.metric.key, []).append(value)
        rolled[unit_id] = {key: roll_up(rows) for key, rows in found.items()}
    return rolled


def roll_up(rows: list[MetricValue]) -> RolledValue:
    volumes = [row.volume for row in rows if row.volume is not None]
    volume = sum(volumes) if volumes else None
    teams = len({row.team_id for row in rows})
    if rows[0].metric.roll_up == RollUp.SUM:
        return RolledValue(value=sum(row.value for row in rows), volume=volume, teams=teams)
    # Without a volume a value counts once.
    weights = [row.volume if row.volume is not None else 1.0 for row in rows]
    total = sum(weights)
    mean = (
        sum(w * row.value for w, row in zip(weights, rows, strict=True)) / total
        if total
        else sum(row.value for row in rows) / len(rows)
    )
    return RolledValue(value=mean, volume=volume, teams=teams)
