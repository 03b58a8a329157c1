"""A migration to a new HR system (new employee ids, a new mail domain), imported with
"deactivate missing" while October is open: the officers answered October through their old
rows, which the import makes inactive, and their new rows, never invited to October, are
active. The officers' logins were made with make_hr before the org chart was imported (the
usual order at install), so they found their person by email; each login is then given the
officer's new address.

Had the login's person been found by its address at close, each would name the officer's
new row: the login would read October as HR, and the release would count as readers the new
rows, not invited, and not the old rows, whose invitations the officers answered: East less
their answers would be Quinn. A survey links the HR logins to their people when it opens
(teams.hr_identity.link_hr_logins_by_email), so the officers are counted as the old rows,
and their logins, linked to inactive rows, read nothing of October.
"""

import pytest
from django.contrib.auth.models import User
from django.core import mail

from pulse.scheduler import run_pulse_tick
from surveys.closing import close_cycle
from surveys.models import CycleTeam
from surveys.selectors import viewers_per_unit
from teams.hr_identity import person_of_login
from tests.anonymity.test_across_surveys import answer
from tests.anonymity.test_hr_login_under_another_address import (
    east_with_officers,
    everyone_answers,
    logins_made_before_the_org_chart,
    quinn_as_read_from,
    read_as,
)
from tests.anonymity.test_hr_officers_renumbered_by_an_import import NOTHING_TOLD, migrate
from tests.anonymity.test_union_of_regions_between_surveys import group
from tests.focus_setup import launch_survey

pytestmark = pytest.mark.django_db


def change_own_address(login: User, address: str) -> None:
    """The officer's login given her new address: not on any page of hers (the sign-in's email
    page is not served), but as a superuser could in the admin's user page."""
    login.email = address
    login.save(update_fields=["email"])


def test_officers_renumbered_while_october_is_open_do_not_read_their_colleague(client) -> None:
    logins = logins_made_before_the_org_chart()
    org = east_with_officers()
    officers = group(org, "Officer")
    assert [person_of_login(login) for login in logins] == officers
    mail.outbox.clear()
    october = launch_survey("October")
    for person, sheet in everyone_answers(org).items():
        answer(client, october, person, sheet)

    migrate(org)
    for number, login in enumerate(logins, start=1):
        change_own_address(login, f"officer.{number}@newco.example")

    close_cycle(cycle_id=october.cycle.pk)
    assert october.cycle.pk in run_pulse_tick().released

    east = CycleTeam.objects.get(cycle=october.cycle, name="East")
    assert viewers_per_unit(october.cycle.pk).get(east.pk, 0) >= 4, "the officers are counted"
    for login in logins:
        # The promise: one person's answer is bounded no better than the whole scale.
        assert quinn_as_read_from(read_as(login, october.cycle.pk, "East")) == NOTHING_TOLD
