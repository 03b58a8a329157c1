"""Between two cycles, pulse learns how many people joined or left a unit's subtree, never who.
Grace's Platform team loses one engineer between October and November."""

import pytest
from django.utils import timezone

from surveys.launch import launch_now
from surveys.models import Cadence, Cycle, CycleTeam
from surveys.selectors import membership_changes
from teams.models import Person
from teams.team_tree import sync_teams

pytestmark = pytest.mark.django_db


def launched(name: str) -> Cycle:
    cadence = Cadence.objects.create(name=name, kind="monthly", k=3, k_comment=3)
    return launch_now(cadence=cadence, now=timezone.now())


def unit(cycle: Cycle, name: str) -> int:
    reporting_unit_id = CycleTeam.objects.get(cycle=cycle, name=name).reporting_unit_id
    assert reporting_unit_id is not None
    return reporting_unit_id


def test_one_leaver_counts_once_in_the_team_and_in_every_unit_above_it(org) -> None:
    october = launched("October")
    Person.objects.filter(pk=org.platform[-1].pk).update(active=False)
    sync_teams()
    november = launched("November")

    platform = (unit(november, "Platform"), unit(october, "Platform"))
    company = (unit(november, "Company"), unit(october, "Company"))
    same = (unit(october, "Platform"), unit(october, "Platform"))
    assert platform != company

    assert membership_changes([platform, company, same]) == {platform: 1, company: 1, same: 0}


def test_an_unknown_unit_counts_everyone_under_the_other_as_changed(org) -> None:
    october = launched("October")
    platform = unit(october, "Platform")
    # Grace leads Platform from the Company team: her team holds its six engineers.
    assert membership_changes([(platform, -1)]) == {(platform, -1): len(org.platform)}
