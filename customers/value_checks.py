"""What the values of a customer-metrics file mean, checked against the org chart and the
metrics defined: every problem with its line, column and reason, before anything is written.

A team is named as the org import names it (docs/org-import.md): by the `employee_id` of the
person who leads it, which never changes when a team is renamed, or by its name when exactly
one team has that name. A team that is not in the org chart is an error, never a silent drop.
"""

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from customers.models import Metric, MetricUnit
from customers.value_file import Record, ValueFileInvalid
from teams.models import Team
from teams.org_problems import ProblemLog, RowError, quoted

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class ValueRow:
    line: int
    metric_id: int
    team_id: int
    period: str
    value: float
    volume: float | None


class TeamNames:
    """The org chart's teams by their leader's employee_id and by name."""

    def __init__(self) -> None:
        self.by_leader: dict[str, int] = {}
        self.by_name: dict[str, list[int]] = {}
        for team_id, name, employee_id in Team.objects.values_list(
            "id", "name", "manager__employee_id"
        ):
            self.by_leader[employee_id] = team_id
            self.by_name.setdefault(name.casefold(), []).append(team_id)

    def find(self, named: str) -> tuple[int | None, str | None]:
        """(team id, None), or (None, why no single team is meant)."""
        if named in self.by_leader:
            return self.by_leader[named], None
        matches = self.by_name.get(named.casefold(), [])
        if len(matches) == 1:
            return matches[0], None
        if matches:
            return None, (
                f"{len(matches)} teams are named {quoted(named)}; name the team by the "
                "employee_id of the person who leads it"
            )
        return None, (
            f"{quoted(named)} is not a team in the org chart (neither a team's name nor the "
            "employee_id of a team's leader)"
        )


def number_problem(text: str) -> tuple[float | None, str | None]:
    try:
        number = float(text)
    except ValueError:
        hint = "; write the decimal point as a dot" if "," in text else ""
        return None, f"{quoted(text)} is not a number{hint}"
    if not math.isfinite(number):
        return None, f"{quoted(text)} is not a finite number"
    return number, None


def value_problem(metric: Metric, value: float) -> str | None:
    if metric.unit == MetricUnit.PERCENT and not 0 <= value <= 100:
        return f"{value:g} is not a percentage between 0 and 100 ({metric.key} is in percent)"
    if metric.unit in (MetricUnit.MINUTES, MetricUnit.COUNT) and value < 0:
        return f"{value:g} is negative; {metric.key} is in {metric.unit}, which cannot be"
    return None


def checked_rows(records: list[Record], errors: ProblemLog) -> list[ValueRow]:
    """The records as rows to store, or ValueFileInvalid with every problem (those of the
    file's shape, already in `errors`, and those found here)."""
    if not records and not errors.count:
        raise ValueFileInvalid([RowError(1, None, "the file has a header but no values")])
    rows = list(rows_and_problems(records, errors))
    if errors.count:
        raise ValueFileInvalid(errors)
    return rows


def rows_and_problems(records: list[Record], errors: ProblemLog) -> Iterable[ValueRow]:
    teams = TeamNames()
    metrics = {metric.key: metric for metric in Metric.objects.all()}
    first_line_of: dict[tuple[int, int, str], int] = {}
    for record in records:
        row, problems = checked_record(record, teams, metrics)
        if row is None:
            errors.extend(problems)
            continue
        key = (row.metric_id, row.team_id, row.period)
        if key in first_line_of:
            errors.add(
                RowError(
                    row.line,
                    None,
                    f"the same team, metric and month as line {first_line_of[key]}; a team has "
                    "one value per metric and month",
                )
            )
            continue
        first_line_of[key] = row.line
        yield row


def checked_record(
    record: Record, teams: TeamNames, metrics: dict[str, Metric]
) -> tuple[ValueRow | None, list[RowError]]:
    """The record as a row, or None and every problem of its fields."""
    fields = {key: value.strip() for key, value in record.fields.items()}
    problems: dict[str, str] = {}
    checks = {"team", "period", "metric", "value", "volume"} - record.unreadable
    team_id = None
    if "team" in checks:
        if not fields["team"]:
            problems["team"] = "is empty"
        else:
            team_id, why = teams.find(fields["team"])
            if why:
                problems["team"] = why
    if "period" in checks and not MONTH.match(fields["period"]):
        problems["period"] = f"{quoted(fields['period'])} is not a month; write YYYY-MM"
    metric = metrics.get(fields["metric"])
    if "metric" in checks and metric is None:
        known_keys = ", ".join(sorted(metrics)) or "none is defined yet"
        problems["metric"] = (
            f"{quoted(fields['metric'])} is not a metric's key (the keys: {known_keys})"
        )
    value = None
    if "value" in checks:
        value, why = number_problem(fields["value"])
        if value is not None and metric is not None:
            why = value_problem(metric, value)
        if why:
            problems["value"] = why
    volume = None
    if "volume" in checks and fields.get("volume", ""):
        volume, why = number_problem(fields["volume"])
        if volume is not None and volume < 0:
            why = f"{volume:g} is negative; a volume is a count of at least 0"
        if why:
            problems["volume"] = why
    if problems or record.unreadable or team_id is None or metric is None or value is None:
        return None, [RowError(record.line, column, why) for column, why in problems.items()]
    row = ValueRow(
        line=record.line,
        metric_id=metric.pk,
        team_id=team_id,
        period=fields["period"],
        value=value,
        volume=volume,
    )
    return row, []
