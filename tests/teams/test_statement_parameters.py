"""No statement binds one parameter per leader or per team: SQLite refuses a statement with more
than 250,000 parameters, which an organisation of about 1.8 million people would reach. Each
test counts the parameters of every statement at two sizes of the organisation."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from surveys import launch
from surveys.models import Cadence, Cycle
from teams import team_tree
from teams.models import Person
from teams.team_tree import sync_teams
from tests.org_builder import build_org, grown_outline

pytestmark = pytest.mark.django_db


@contextmanager
def most_parameters() -> Iterator[list[int]]:
    """Yields a list that holds, once the block is done, the most parameters one statement bound."""
    counted: list[int] = [0]

    def count(execute: Callable, sql: str, params: Any, many: bool, context: Any) -> Any:
        bound = [len(row) for row in params] if many else [len(params or ())]
        counted[0] = max(counted[0], *bound)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        yield counted


@pytest.mark.parametrize("teams", [8, 32])
def test_syncing_an_unchanged_org_binds_a_few_parameters_whatever_its_number_of_leaders(
    teams: int,
) -> None:
    build_org(grown_outline(departments=2, teams_per_department=teams // 2, people_per_team=2))
    with most_parameters() as counted:
        sync_teams()
    assert counted[0] <= 2  # it bound one per leader (about `teams`) when it excluded them


def test_removing_many_teams_binds_at_most_one_batch_of_ids(monkeypatch) -> None:
    org = build_org(grown_outline(departments=1, teams_per_department=12, people_per_team=2))
    monkeypatch.setattr(team_tree, "DELETE_BATCH", 3)
    Person.objects.filter(name__startswith="Member").update(active=False)
    with most_parameters() as counted:
        sync_teams()
    assert not org.team("Department 1").__class__.objects.filter(name__startswith="Team").exists()
    assert counted[0] <= 3 + 1


def test_a_launch_binds_as_many_parameters_for_an_org_four_times_the_size() -> None:
    # Snapshot and invitations are written as plain rows (one row's values per executemany
    # row on SQLite, a COPY on PostgreSQL), however many there are.
    def launch_binds(teams: int) -> int:
        Cycle.objects.all().delete()  # its invitations with it: a person's are protected
        Person.objects.all().delete()
        sync_teams()
        build_org(grown_outline(departments=2, teams_per_department=teams // 2, people_per_team=5))
        with most_parameters() as counted:
            launch.launch_now(
                cadence=Cadence.objects.create(name=f"Pulse {teams}", kind="monthly"),
                now=timezone.now(),
            )
        return counted[0]

    assert launch_binds(16) == launch_binds(4)
