"""Writes of customer metrics: importing values, all or nothing, idempotent."""

from dataclasses import dataclass

from django.db import transaction

from customers.models import MetricValue
from customers.value_checks import ValueRow, checked_rows
from customers.value_file import Record
from teams.org_problems import ProblemLog

BATCH = 2000


@dataclass(frozen=True)
class ValueImportSummary:
    created: int
    updated: int
    unchanged: int
    dry_run: bool = False

    def __str__(self) -> str:
        verb = "Would import" if self.dry_run else "Imported"
        return (
            f"{verb}: {self.created} values created, {self.updated} updated, "
            f"{self.unchanged} unchanged."
        )


def import_values(
    *, records: list[Record], problems: ProblemLog, dry_run: bool = False
) -> ValueImportSummary:
    """Check every record (customers.value_checks) and, when all are good and this is not a dry
    run, store them in one transaction: a team's value for a metric and month is created, or
    updated in place, so importing the same file again changes nothing. Values not in the
    file are left alone. Raises ValueFileInvalid, having written nothing."""
    with transaction.atomic():
        rows = checked_rows(records, problems)
        existing = {
            (value.metric_id, value.team_id, value.period): value
            for value in MetricValue.objects.filter(
                team_id__in={row.team_id for row in rows},
                metric_id__in={row.metric_id for row in rows},
                period__in={row.period for row in rows},
            ).select_for_update()
        }
        new: list[MetricValue] = []
        changed: list[MetricValue] = []
        for row in rows:
            stored = existing.get((row.metric_id, row.team_id, row.period))
            if stored is None:
                new.append(value_of(row))
            elif (stored.value, stored.volume) != (row.value, row.volume):
                stored.value, stored.volume = row.value, row.volume
                changed.append(stored)
        summary = ValueImportSummary(
            created=len(new),
            updated=len(changed),
            unchanged=len(rows) - len(new) - len(changed),
            dry_run=dry_run,
        )
        if not dry_run:
            MetricValue.objects.bulk_create(new, batch_size=BATCH)
            MetricValue.objects.bulk_update(changed, ["value", "volume"], batch_size=BATCH)
    return summary


def value_of(row: ValueRow) -> MetricValue:
    return MetricValue(
        metric_id=row.metric_id,
        team_id=row.team_id,
        period=row.period,
        value=row.value,
        volume=row.volume,
    )
