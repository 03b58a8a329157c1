"""A person HR deletes while a survey is open is erased (teams.erasure): no more email, a link
that no longer works, and an invitation that still counts.

Ada's company opens the monthly pulse on 1 November; Platform Engineer0 answers at once, and
Platform Engineer1 does not. Both leave on the 2nd and HR deletes them. The reminder on the 4th
goes to everyone else invited, answered or not, and to neither of them.
"""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client

from surveys.models import Cycle, CycleTeam, Invitation, InvitationToken
from surveys.scheduler import run_tick
from teams.models import Person
from teams.services import delete_people
from tests.surveys.conftest import NOV_1_2026_0900_LONDON
from tests.surveys.test_scheduled_sends import answer, link_token

pytestmark = pytest.mark.django_db


def test_erased_people_get_no_reminder_their_links_stop_and_they_still_count(org, monthly) -> None:
    with time_machine.travel(NOV_1_2026_0900_LONDON, tick=False):
        run_tick()
    answerer, silent = org.platform[0], org.platform[1]
    first_email = {message.to[0]: message for message in mail.outbox}
    answer(first_email[answerer.email])
    addresses = {answerer.pk: answerer.email, silent.pk: silent.email}
    links = [link_token(first_email[email]) for email in addresses.values()]

    with time_machine.travel(NOV_1_2026_0900_LONDON + timedelta(days=1), tick=False):
        delete_people(people=Person.objects.filter(pk__in=addresses))
        run_tick()
    assert not InvitationToken.objects.filter(invitation__person_id__in=addresses).exists()
    client = Client()
    for token in links:
        assert client.get(f"/a/{token}/").status_code == 404

    mail.outbox.clear()
    with time_machine.travel(NOV_1_2026_0900_LONDON + timedelta(days=3), tick=False):
        run_tick()
    reminded = sorted(message.to[0] for message in mail.outbox)
    stayed = [p for p in org.everyone if p.pk not in addresses]
    assert reminded == sorted(p.email for p in stayed)
    # What the sending state says of everyone else is what it says of anyone invited.
    assert set(
        Invitation.objects.exclude(person_id__in=addresses).values_list(
            "emails_sent", "send_batch", "delivery_failed"
        )
    ) == {(2, None, False)}

    cycle = Cycle.objects.get()
    with time_machine.travel(NOV_1_2026_0900_LONDON + timedelta(days=7), tick=False):
        assert run_tick().closed == [cycle.pk]
    assert Invitation.objects.filter(cycle=cycle).count() == len(org.everyone)
    platform = CycleTeam.objects.get(cycle=cycle, name="Platform")
    unit = platform.reporting_unit
    assert unit == platform and unit.unit_eligible_count == len(org.platform)
