"""Releases made when every page kept its own copy of each comment read the same afterwards,
each comment stored once; going back makes the copies again."""

from collections import Counter

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from pulse.models import ReleasedComment, ReleasedUnit
from surveys.models import Cadence, Cycle, CycleTeam
from tests.pulse.comment_reading import every_comment

COPIES = [("pulse", "0006_comments_in_page_order")]
ONCE = [("pulse", "0007_comments_stored_once")]


def build_copies_release(apps) -> None:
    """Company ⊃ Platform ⊃ Squad, and Data: comments shown at Company and Platform only.
    Squad wrote "Pairing" and "Slow CI"; Platform "Pairing" too, and "Docs"; Data "Standups";
    Company's own staff "Offsite". (The snapshot is today's surveys tables; only pulse's
    are as they were.)"""
    now = timezone.now()
    cycle = Cycle.objects.create(
        cadence=Cadence.objects.create(name="Monthly", kind="monthly"),
        period="2026-11",
        kind="monthly",
        opens_at=now,
        closes_at=now,
        k=5,
        k_comment=10,
    )
    shape = {"Company": None, "Platform": "Company", "Squad": "Platform", "Data": "Company"}
    teams: dict[str, CycleTeam] = {}
    for name, parent in shape.items():
        teams[name] = CycleTeam.objects.create(
            cycle=cycle,
            name=name,
            parent=teams[parent] if parent else None,
            manager_name="",
            eligible_count=12,
        )
    copies = {
        "Company": ["Pairing", "Slow CI", "Pairing", "Docs", "Standups", "Offsite"],
        "Platform": ["Docs", "Pairing", "Slow CI", "Pairing"],
    }
    for name, parent in shape.items():
        released = apps.get_model("pulse", "ReleasedUnit").objects.create(
            cycle_id=cycle.pk,
            unit_id=teams[name].pk,
            parent_unit_id=teams[parent].pk if parent else None,
            status="released",
            eligible=12,
            respondents=12,
            comments_released=name in copies,
        )
        for text in copies.get(name, []):
            apps.get_model("pulse", "ReleasedComment").objects.create(
                released_unit=released, text=text
            )


@pytest.mark.django_db(transaction=True)
def test_each_copied_comment_is_kept_once_and_every_page_shows_what_it_showed() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(COPIES)
    build_copies_release(executor.loader.project_state(COPIES).apps)
    executor = MigrationExecutor(connection)
    executor.migrate(ONCE)

    units = {unit.unit.name: unit for unit in ReleasedUnit.objects.select_related("unit")}
    assert sorted(every_comment(units["Platform"])) == ["Docs", "Pairing", "Pairing", "Slow CI"]
    assert sorted(every_comment(units["Company"])) == sorted(
        ["Pairing", "Slow CI", "Pairing", "Docs", "Standups", "Offsite"]
    )
    assert every_comment(units["Squad"]) == every_comment(units["Data"]) == []
    stored = Counter(ReleasedComment.objects.values_list("released_unit__unit__name", "text"))
    assert stored == Counter(
        {
            ("Platform", "Pairing"): 2,
            ("Platform", "Slow CI"): 1,
            ("Platform", "Docs"): 1,
            ("Company", "Standups"): 1,
            ("Company", "Offsite"): 1,
        }
    )

    executor = MigrationExecutor(connection)
    executor.migrate(COPIES)
    apps = executor.loader.project_state(COPIES).apps
    copied = Counter(
        apps.get_model("pulse", "ReleasedComment").objects.values_list(
            "released_unit__unit__name", flat=True
        )
    )
    assert copied == {"Company": 6, "Platform": 4}
    MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
