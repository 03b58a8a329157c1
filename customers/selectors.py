"""Reads of customer metrics: the metrics defined, and their values rolled up onto a cycle's
reporting units so that a unit's customer figures cover exactly the teams its survey figures
cover (docs/cx-metrics.md, "The roll-up").

A unit's survey figures are the roll-up of its subtree of the cycle's frozen snapshot, so its
customer figures are too: every snapshot team under the unit (itself included), through
`CycleTeam.team` to the live team the values were imported for, over every month of the
period. Each metric is rolled up by its own rule:

- weighted_mean: the mean of the values weighted by their volume when every value has a
  volume (and the volumes are not all zero); otherwise each value counts once;
- sum: the values added up.

A rolled value's volume is the sum of the volumes when every value has one, else None.
"""

from collections import defaultdict
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
    teams: int  # teams with a value


class UnknownPeriod(ValueError):
    pass


def metrics() -> list[MetricInfo]:
    """Every metric defined, ordered by name."""
    return [
        MetricInfo(
            key=metric.key,
            name=metric.name,
            unit=metric.unit,
            better=metric.better,
            roll_up=metric.roll_up,
        )
        for metric in Metric.objects.order_by("name", "key")
    ]


def _year_and_rest(period: str) -> tuple[int, str]:
    year, separator, rest = period.partition("-")
    if not separator or len(year) != 4 or not year.isdigit():
        raise UnknownPeriod(f"{period!r} is not a period: write YYYY-MM or YYYY-Qn.")
    return int(year), rest


def months_of(period: str) -> list[str]:
    """The months of a cycle's period: "2026-11" → ["2026-11"]; "2026-Q4" → its three months."""
    year, rest = _year_and_rest(period)
    if len(rest) == 2 and rest[0] == "Q" and rest[1] in "1234":
        first = (int(rest[1]) - 1) * 3 + 1
        return [f"{year:04d}-{month:02d}" for month in range(first, first + 3)]
    if len(rest) == 2 and rest.isdigit() and 1 <= int(rest) <= 12:
        return [period]
    raise UnknownPeriod(f"{period!r} is not a period: write YYYY-MM or YYYY-Qn.")


def period_after(period: str) -> str:
    """The next period of the same kind: "2026-11" → "2026-12"; "2026-Q4" → "2027-Q1"."""
    months_of(period)  # validates
    year, rest = _year_and_rest(period)
    if rest.startswith("Q"):
        quarter = int(rest[1])
        return f"{year + 1:04d}-Q1" if quarter == 4 else f"{year:04d}-Q{quarter + 1}"
    month = int(rest)
    return f"{year + 1:04d}-01" if month == 12 else f"{year:04d}-{month + 1:02d}"


def rolled_up(rule: str, values: list[tuple[float, float | None]], *, teams: int) -> RolledValue:
    """Roll (value, volume) pairs, from `teams` teams, up by `rule`."""
    volumes = [volume for _, volume in values if volume is not None]
    all_have_volume = len(volumes) == len(values)
    total_volume = sum(volumes) if all_have_volume else None
    if rule == RollUp.SUM:
        value = sum(value for value, _ in values)
    elif total_volume:
        value = sum(value * (volume or 0.0) for value, volume in values) / total_volume
    else:
        value = sum(value for value, _ in values) / len(values)
    return RolledValue(value=value, volume=total_volume, teams=teams)


def rolled_up_for_cycle(*, cycle_id: int, period: str) -> dict[int, dict[str, RolledValue]]:
    """CycleTeam id of each reporting unit of the cycle → metric key → its rolled-up value over
    the months of `period` and the unit's whole snapshot subtree. A unit with no value for a
    metric has no entry for it (and a unit with no values at all maps to {})."""
    snapshot = list(
        CycleTeam.objects.filter(cycle_id=cycle_id).values_list(
            "id", "parent_id", "reporting_unit_id", "team_id"
        )
    )
    tree = IdTree({team_id: parent_id for team_id, parent_id, _, _ in snapshot})
    live_team_of = {team_id: live for team_id, _, _, live in snapshot}
    unit_ids = [team_id for team_id, _, unit_id, _ in snapshot if unit_id == team_id]

    rules = dict(Metric.objects.values_list("key", "roll_up"))
    # live team id → metric key → [(value, volume)] over the period's months
    values_of: dict[int, dict[str, list[tuple[float, float | None]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    live_ids = {live for live in live_team_of.values() if live is not None}
    for team_id, key, value, volume in MetricValue.objects.filter(
        team_id__in=live_ids, period__in=months_of(period)
    ).values_list("team_id", "metric__key", "value", "volume"):
        values_of[team_id][key].append((value, volume))

    result: dict[int, dict[str, RolledValue]] = {}
    for unit_id in unit_ids:
        # A live team appears once in a snapshot; a set counts it once even if it did not, and
        # sorting it adds the values in the same order every time (the same last digit).
        live_teams = sorted(
            {live for member in tree.subtree(unit_id) if (live := live_team_of[member]) is not None}
        )
        by_metric: dict[str, RolledValue] = {}
        for key, rule in rules.items():
            pairs: list[tuple[float, float | None]] = []
            teams_with_value = 0
            for live in live_teams:
                team_pairs = values_of.get(live, {}).get(key, [])
                if team_pairs:
                    teams_with_value += 1
                    pairs.extend(team_pairs)
            if pairs:
                by_metric[key] = rolled_up(rule, pairs, teams=teams_with_value)
        result[unit_id] = by_metric
    return result
