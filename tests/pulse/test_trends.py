"""Grace follows Platform across cycles. A trend is drawn only between releases of the same
team whose membership changed by none or by at least three people."""

import pytest
from django.core import mail
from django.utils import timezone

from pulse.models import ReleasedUnit
from pulse.scheduler import run_pulse_tick
from surveys.closing import close_cycle
from surveys.launch import launch_now
from surveys.models import Cadence
from surveys.scheduler import run_tick
from teams.models import Person
from teams.team_tree import sync_teams
from tests.anonymity.conftest import Survey, emailed_links, form_answers

pytestmark = pytest.mark.django_db


def run_cycle(client, name: str, people: list[Person]) -> ReleasedUnit:
    mail.outbox.clear()
    cycle = launch_now(
        cadence=Cadence.objects.create(name=name, kind="monthly"), now=timezone.now()
    )
    run_tick()
    survey = Survey(cycle=cycle, links=emailed_links())
    for person in people:
        client.post(f"/a/{survey.token(person.email)}/", form_answers(survey, [5, 5, 5, 5]))
    close_cycle(cycle_id=cycle.pk)
    run_pulse_tick()
    return ReleasedUnit.objects.get(cycle=cycle, unit__name="Platform")


def test_the_same_team_links_to_its_earlier_release(client, company) -> None:
    first = run_cycle(client, "October", company["platform"][:10])
    second = run_cycle(client, "November", company["platform"][:10])
    assert list(second.trend_from.all()) == [first]


def test_one_leaver_breaks_the_trend_three_do_not(client, company) -> None:
    first = run_cycle(client, "October", company["platform"][:10])
    Person.objects.filter(pk=company["platform"][-1].pk).update(active=False)
    sync_teams()
    after_one = run_cycle(client, "November", company["platform"][:10])
    assert list(after_one.trend_from.all()) == []
    Person.objects.filter(pk__in=[p.pk for p in company["platform"][-3:]]).update(active=False)
    sync_teams()
    after_three = run_cycle(client, "December", company["platform"][:10])
    # Against October: three left in all. Against November: two more left, too few.
    assert list(after_three.trend_from.all()) == [first]
