"""Surveys that existed before links carried a survey id each get their own, drawn at random."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("surveys", "0011_loop_emails_claims")]
AFTER = [("surveys", "0012_cycle_public_id")]


@pytest.mark.django_db(transaction=True)
def test_existing_surveys_each_get_a_public_id_of_their_own() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    cadence = old.get_model("surveys", "Cadence").objects.create(name="Monthly", kind="monthly")
    now = timezone.now()
    for period in ("2026-10", "2026-11", "2026-12"):
        old.get_model("surveys", "Cycle").objects.create(
            cadence=cadence,
            period=period,
            kind="monthly",
            opens_at=now,
            closes_at=now,
            k=5,
            k_comment=10,
        )
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    public_ids = list(new.get_model("surveys", "Cycle").objects.values_list("public_id", flat=True))
    assert len(public_ids) == 3 and len(set(public_ids)) == 3
    assert all(len(public_id) >= 22 for public_id in public_ids)
    # The tests after this one expect every migration applied.
    MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
