"""The officers' HR logins, made with make_hr under their work addresses, are linked to their
rows when October opens, and they answer. HR then gives each officer's row a new address in
the admin, adds a row "Officer N (desk)" with the officer's old address and invites it to log
in: the invitation would find the officer's login by that address and move it to the desk
row, and at close the release would count the desk rows, not invited, as the readers, and
East less the officers' answers would be Quinn. An invitation does not move an HR login
linked to someone else (teams.accounts.ensure_login); it says why.
"""

import pytest
from django.core import mail
from django.test import Client

from pulse.scheduler import run_pulse_tick
from surveys.closing import close_cycle
from teams.hr_identity import person_of_login
from teams.models import Person
from tests.anonymity.test_across_surveys import answer
from tests.anonymity.test_hr_login_under_another_address import (
    east_with_officers,
    everyone_answers,
    quinn_as_read_from,
    read_as,
    work_address_logins,
)
from tests.anonymity.test_hr_officers_renumbered_by_an_import import NOTHING_TOLD
from tests.anonymity.test_union_of_regions_between_surveys import group
from tests.focus_setup import launch_survey
from tests.support.hr_logins import outside_hr_login

pytestmark = pytest.mark.django_db


def test_an_invitation_does_not_move_an_officers_hr_login_to_another_row(client) -> None:
    org = east_with_officers(staff=6)
    officers = group(org, "Officer")
    logins = work_address_logins(officers)
    mail.outbox.clear()
    october = launch_survey("October")
    assert [person_of_login(login) for login in logins] == officers
    for person, sheet in everyone_answers(org).items():
        answer(client, october, person, sheet)

    hannah = outside_hr_login("hannah@example.com")
    hannah.is_staff = True
    hannah.save()
    admin = Client()
    admin.force_login(hannah)
    for number, officer in enumerate(officers, start=1):
        old_address = officer.email
        officer.email = f"officer.{number}@newco.example"
        officer.save(update_fields=["email"])
        desk = Person.objects.create(
            name=f"Officer {number} (desk)",
            email=old_address,
            employee_id=f"desk-{number}",
            manager=org["Ada Lovelace"],
        )
        response = admin.post(
            "/admin/teams/person/",
            {"action": "invite_to_log_in", "_selected_action": [desk.pk]},
            follow=True,
        )
        assert f"is the HR login of Officer {number}" in response.content.decode()
        desk.refresh_from_db()
        assert desk.user is None
    assert [person_of_login(login) for login in logins] == officers

    close_cycle(cycle_id=october.cycle.pk)
    assert october.cycle.pk in run_pulse_tick().released
    for login in logins:
        # The promise: one person's answer is bounded no better than the whole scale.
        assert quinn_as_read_from(read_as(login, october.cycle.pk, "East")) == NOTHING_TOLD
