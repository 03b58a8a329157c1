"""Releases stored before this kept each domain's spread exactly; from two of them the one
person who joined between them could be read (docs/anonymity.md, "Across surveys"). Keep the
spread in whole points in fine releases and drop it from coarse ones, as releases are written
now (pulse.release.domain_figures), then vacuum the table so the old row versions go too."""

import math

from django.db import migrations, transaction

from common.compaction import compact

FINE_PRECISION = 1  # pulse.trends.FINE_PRECISION, frozen here as migrations are


def no_finer_than_pages(figures: dict) -> dict:
    fine = figures.get("precision", FINE_PRECISION) == FINE_PRECISION
    stored = [*figures.get("domains", {}).values()]
    if "follow_through" in figures:
        stored.append(figures["follow_through"])
    for figure in stored:
        if "spread" not in figure:
            continue
        if fine:
            # Half up, as pulse.release.rounded rounds every stored figure.
            figure["spread"] = int(math.floor(figure["spread"] + 0.5))
        else:
            del figure["spread"]
    return figures


def store_no_finer_spreads(apps, schema_editor) -> None:
    released_unit = apps.get_model("pulse", "ReleasedUnit")
    with transaction.atomic():
        for release in released_unit.objects.exclude(figures={}).iterator():
            release.figures = no_finer_than_pages(release.figures)
            release.save(update_fields=["figures"])
    compact(released_unit._meta.db_table)


class Migration(migrations.Migration):
    # Not atomic, so that the vacuum can run after the rewrite has committed.
    atomic = False

    dependencies = [
        ("pulse", "0003_suppression_reasons_with_viewers"),
    ]

    operations = [
        migrations.RunPython(store_no_finer_spreads, migrations.RunPython.noop, elidable=True),
    ]
