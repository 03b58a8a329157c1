"""A close that lands while a sender is at work: no link digest of a closed cycle survives, and
no email of a cycle that closed before its links were made leaves. Written as an insider would
try it: close the cycle between the sender's "is it open?" and its link insert."""

import threading
import time

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from surveys import sending
from surveys.closing import close_cycle
from surveys.launch import launch_now
from surveys.models import Cycle, CycleState, Invitation, InvitationToken
from surveys.scheduler import run_tick
from surveys.sending import send_owed
from tests.surveys.conftest import NOV_1_2026_0900_LONDON

pytestmark = pytest.mark.django_db


def digests_of(cycle: Cycle) -> int:
    return InvitationToken.objects.filter(invitation__cycle=cycle).count()


def test_a_close_between_the_open_check_and_the_link_insert_leaves_no_digest_and_no_email(
    org, monthly, monkeypatch
) -> None:
    cycle = launch_now(cadence=monthly, now=NOV_1_2026_0900_LONDON)
    survey_facts = sending.survey_facts

    def close_first(cycle_id: int):  # runs after the claim saw the cycle open
        assert Invitation.objects.filter(cycle=cycle, send_batch__isnull=False).exists()
        assert close_cycle(cycle_id=cycle_id)
        return survey_facts(cycle_id)

    monkeypatch.setattr(sending, "survey_facts", close_first)

    result = send_owed(cycle_id=cycle.pk)

    assert Cycle.objects.get(pk=cycle.pk).state == CycleState.CLOSED
    assert digests_of(cycle) == 0
    assert mail.outbox == []
    assert result.sent == 0 and result.skipped == len(org.everyone)
    assert not Invitation.objects.filter(cycle=cycle, send_batch__isnull=False).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises at BEGIN")
@pytest.mark.django_db(transaction=True)
def test_a_close_that_starts_while_links_are_inserted_waits_and_then_wipes_them(
    item_catalogue, org, monthly, monkeypatch
) -> None:
    cycle = launch_now(cadence=monthly, now=timezone.now())
    hold_cycle_open = sending.hold_cycle_open
    closer: list[threading.Thread] = []

    def close_meanwhile(cycle_id: int) -> bool:
        held = hold_cycle_open(cycle_id)
        thread = threading.Thread(target=close_in_own_connection, args=[cycle_id])
        thread.start()
        closer.append(thread)
        time.sleep(0.5)
        assert thread.is_alive(), "close did not wait for the links being inserted"
        return held

    monkeypatch.setattr(sending, "hold_cycle_open", close_meanwhile)

    send_owed(cycle_id=cycle.pk)
    closer[0].join(timeout=10)

    assert Cycle.objects.get(pk=cycle.pk).state == CycleState.CLOSED
    assert digests_of(cycle) == 0


def close_in_own_connection(cycle_id: int) -> None:
    try:
        close_cycle(cycle_id=cycle_id)
    finally:
        connection.close()


def test_each_tick_deletes_digests_of_cycles_that_are_not_open(org, monthly) -> None:
    open_one = launch_now(cadence=monthly, now=timezone.now())
    send_owed(cycle_id=open_one.pk)
    left_over = InvitationToken.objects.filter(invitation__cycle=open_one).first()
    assert left_over is not None
    # A digest left behind by some path that bypassed close, e.g. a restored backup.
    Cycle.objects.filter(pk=open_one.pk).update(state=CycleState.CLOSED)
    run_tick()
    assert digests_of(open_one) == 0

    Cycle.objects.filter(pk=open_one.pk).update(state=CycleState.OPEN)
    Invitation.objects.filter(cycle=open_one).update(emails_sent=0)
    send_owed(cycle_id=open_one.pk)
    run_tick()
    assert digests_of(open_one) == len(org.everyone), "an open cycle keeps its links"
