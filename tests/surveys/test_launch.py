"""Launching freezes the cycle: later org changes never alter what it asked or who counts where."""

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from surveys.launch import LaunchError, launch_now
from surveys.models import Cadence, CycleState, Invitation
from teams.models import Person
from teams.team_tree import sync_teams

pytestmark = pytest.mark.django_db


def test_the_snapshot_maps_lins_tiny_design_team_into_the_company_unit(org, monthly) -> None:
    cycle = launch_now(cadence=monthly, now=timezone.now())
    teams = {team.name: team for team in cycle.teams.all()}
    assert teams["Design"].eligible_count == 2
    assert teams["Design"].reporting_unit == teams["Company"]
    assert teams["Platform"].reporting_unit == teams["Platform"]
    assert teams["Company"].unit_eligible_count == 6 + 2  # Ada, Grace, Linus, 3 staff + design
    designers = Invitation.objects.filter(cycle=cycle, person__in=org.design)
    assert {i.reporting_unit.name for i in designers} == {"Company"}


def test_later_org_changes_leave_a_launched_cycle_alone(org, monthly) -> None:
    cycle = launch_now(cadence=monthly, now=timezone.now())
    before = list(cycle.teams.values_list("name", "eligible_count", "parent__name"))
    Person.objects.filter(pk=org.platform[0].pk).update(active=False)
    Person.objects.create(employee_id="n1", email="new@example.com", name="New Joiner")
    sync_teams(team_names={"e2": "Platform Engineering"})
    assert list(cycle.teams.values_list("name", "eligible_count", "parent__name")) == before
    assert cycle.invitations.count() == len(org.everyone)


def test_a_population_below_k_cannot_launch_and_says_why(db) -> None:
    boss = Person.objects.create(employee_id="1", email="boss@example.com", name="Boss")
    Person.objects.create(employee_id="2", email="one@example.com", name="One", manager=boss)
    sync_teams()
    cadence = Cadence.objects.create(name="Tiny", kind="monthly")
    with pytest.raises(LaunchError, match="2 eligible people, fewer than the minimum group size"):
        launch_now(cadence=cadence, now=timezone.now())
    cycle = cadence.cycles.get()
    assert cycle.state == CycleState.SCHEDULED
    assert "fewer than the minimum group size" in cycle.launch_error


def test_the_commands_launch_and_close_and_refuse_unknown_ids(org, monthly, capsys) -> None:
    call_command("launch_cycle", str(monthly.pk))
    cycle = monthly.cycles.get()
    assert f"Launched cycle {cycle.pk}" in capsys.readouterr().out
    call_command("close_cycle", str(cycle.pk))
    cycle.refresh_from_db()
    assert cycle.state == CycleState.CLOSED
    with pytest.raises(CommandError, match="already closed"):
        call_command("close_cycle", str(cycle.pk))
    with pytest.raises(CommandError, match="no cycle with id 999"):
        call_command("close_cycle", "999")
    with pytest.raises(CommandError, match="no cadence with id 999"):
        call_command("launch_cycle", "999")
