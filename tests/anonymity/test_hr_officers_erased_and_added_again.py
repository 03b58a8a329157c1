"""HR officers whose logins find them by their email (made with `make_hr` before the org chart
was imported, the usual order at install) answer; HR then deletes them in the admin and adds
them again, same names, same emails. Invited, they are erased: their rows stay, with their
invitations, and no name. Were their logins kept, each would name the new row by its email at
close, a person never invited, and the release would count no reader in East, where the
erased rows' answers are: East less the officers' answers would be Quinn.
(docs/anonymity.md, "Results: what the readers can work out"; teams.erasure.forget_logins)
"""

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

from pulse.scheduler import run_pulse_tick
from surveys.closing import close_cycle
from surveys.instrument import SCALE_VALUES
from teams.hr_identity import person_of_login
from tests.anonymity.test_across_surveys import answer
from tests.anonymity.test_hr_login_under_another_address import (
    east_with_officers,
    everyone_answers,
    logins_made_before_the_org_chart,
    quinn_as_read_from,
    read_as,
)
from tests.anonymity.test_regions_between_surveys import ENPS_CLASSES
from tests.anonymity.test_union_of_regions_between_surveys import group
from tests.focus_setup import launch_survey
from tests.support.hr_logins import outside_hr_login

pytestmark = pytest.mark.django_db


def test_officers_erased_and_added_again_do_not_read_their_colleague(client) -> None:
    logins = logins_made_before_the_org_chart()
    org = east_with_officers()
    officers = group(org, "Officer")
    assert [person_of_login(login) for login in logins] == officers
    mail.outbox.clear()
    october = launch_survey("October")
    for person, sheet in everyone_answers(org).items():
        answer(client, october, person, sheet)

    hannah = outside_hr_login("hannah@example.com")  # HR who does the deleting and adding
    hannah.is_staff = True
    hannah.save()
    admin = Client()
    admin.force_login(hannah)
    for officer in officers:
        response = admin.post(f"/admin/teams/person/{officer.pk}/delete/", {"post": "yes"})
        assert response.status_code == 302, response.content
        officer.refresh_from_db()
        assert officer.erased_at is not None, "invited: erased, invitations kept"
    for number in range(1, 5):
        response = admin.post(
            "/admin/teams/person/add/",
            {
                "name": f"Officer {number}",
                "email": f"officer.{number}@example.com",
                "employee_id": f"officer-{number}",
                "active": "on",
                "manager": org["Cleo Turner"].pk,
                "_save": "Save",
            },
        )
        assert response.status_code == 302, response.content
    close_cycle(cycle_id=october.cycle.pk)
    assert october.cycle.pk in run_pulse_tick().released

    for login in logins:
        if not User.objects.filter(pk=login.pk).exists():
            continue  # gone with the person it was: it reads nothing
        east = read_as(login, october.cycle.pk, "East")
        # The promise: one person's answer is bounded no better than the whole scale.
        assert quinn_as_read_from(east) == (set(ENPS_CLASSES), set(SCALE_VALUES)), east
