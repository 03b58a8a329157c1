"""A monthly pulse opens on the 1st at 09:00 London time, invites everyone once, reminds everyone
invited (answered or not, in one wording), and closes after its window."""

from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import Client

from surveys.models import Cycle, CycleState, Invitation, InvitationToken
from surveys.redemption import redeem
from surveys.scheduler import run_tick
from tests.surveys.conftest import NOV_1_2026_0900_LONDON

pytestmark = pytest.mark.django_db


def link_token(message) -> str:
    line = next(line for line in message.body.splitlines() if "/a/" in line)
    return line.strip().rstrip("/").rsplit("/", 1)[1]


def answer(message) -> None:
    from django.db import transaction

    with transaction.atomic():
        redeem(link_token(message))


def test_nothing_opens_before_the_send_hour(org, monthly) -> None:
    report = run_tick(now=NOV_1_2026_0900_LONDON - timedelta(minutes=1))
    assert report.launched == []
    assert not Cycle.objects.exists()
    assert mail.outbox == []


def test_the_pulse_opens_at_the_send_hour_and_everyone_gets_one_email(org, monthly) -> None:
    with time_machine.travel(NOV_1_2026_0900_LONDON, tick=False):
        report = run_tick()
        again = run_tick()
    cycle = Cycle.objects.get()
    assert report.launched == [cycle.pk] and again.launched == []
    assert cycle.state == CycleState.OPEN and cycle.period == "2026-11"
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in org.everyone)
    assert all(
        isinstance(m, EmailMultiAlternatives) and m.alternatives[0][1] == "text/html"
        for m in mail.outbox
    )
    assert cycle.items.count() == 4  # one per domain in a monthly pulse


def test_reminders_reach_everyone_invited_so_the_mail_log_splits_nobody(org, monthly) -> None:
    with time_machine.travel(NOV_1_2026_0900_LONDON, tick=False):
        run_tick()
    for message in mail.outbox[:5]:
        answer(message)
    answered = {m.to[0] for m in mail.outbox[:5]}
    with time_machine.travel(NOV_1_2026_0900_LONDON + timedelta(days=3), tick=False):
        run_tick()
        run_tick()
    reminders = [m for m in mail.outbox if "Reminder" in m.subject]
    assert sorted(m.to[0] for m in reminders) == sorted(p.email for p in org.everyone)
    # One wording for both: nothing in a reminder says whether its reader had answered.
    assert len({(m.subject, m.body.split("\n", 2)[2].split("http")[0]) for m in reminders}) == 1
    assert "If you have already answered, thank you" in reminders[0].body
    assert set(
        Invitation.objects.values_list("emails_sent", "send_batch", "claimed_at", "delivery_failed")
    ) == {(2, None, None, False)}

    someone_who_answered = next(m for m in reminders if m.to[0] in answered)
    someone_who_did_not = next(m for m in reminders if m.to[0] not in answered)
    client = Client()
    used = client.get(f"/a/{link_token(someone_who_answered)}/")
    assert used.status_code == 410 and b"already been answered" in used.content
    assert client.get(f"/a/{link_token(someone_who_did_not)}/").status_code == 200


def test_after_a_cycle_with_reminders_the_mail_log_has_as_many_emails_for_everyone(
    org, monthly
) -> None:
    start = NOV_1_2026_0900_LONDON
    moment = start
    with time_machine.travel(moment, tick=False):
        run_tick()
    for message in mail.outbox[:4]:
        answer(message)  # four answer at once
    while moment < start + timedelta(days=8):  # a tick every three hours, through the close
        with time_machine.travel(moment, tick=False):
            run_tick()
        if moment == start + timedelta(days=4):
            latest = {m.to[0]: m for m in mail.outbox}
            for email in sorted(latest)[:3]:  # three more between the reminders
                if Invitation.objects.filter(person__email=email, answered=False).exists():
                    answer(latest[email])
        moment += timedelta(hours=3)
    assert Cycle.objects.get().state == CycleState.CLOSED
    per_person = Counter(m.to[0] for m in mail.outbox)
    assert set(per_person) == {p.email for p in org.everyone}
    assert set(per_person.values()) == {1 + len(monthly.reminder_offsets)}


def test_at_close_nobody_can_tell_who_answered(org, monthly) -> None:
    with time_machine.travel(NOV_1_2026_0900_LONDON, tick=False):
        run_tick()
    for message in mail.outbox[:6]:
        answer(message)
    with time_machine.travel(NOV_1_2026_0900_LONDON + timedelta(days=7), tick=False):
        report = run_tick()
    cycle = Cycle.objects.get()
    assert report.closed == [cycle.pk]
    assert cycle.state == CycleState.CLOSED
    assert not InvitationToken.objects.exists()
    assert set(Invitation.objects.values_list("answered", "emails_sent")) == {(None, None)}
    counts = {
        t.name: t.unit_respondent_count
        for t in cycle.teams.all()
        if t.unit_respondent_count is not None
    }
    assert sum(counts.values()) == 6


def test_someone_who_never_answers_gets_the_invitation_and_exactly_the_configured_reminders(
    org, monthly
) -> None:
    start = NOV_1_2026_0900_LONDON
    moment = start
    while moment < start + timedelta(days=8):  # a tick every three hours, through the close
        with time_machine.travel(moment, tick=False):
            run_tick()
        moment += timedelta(hours=3)
    to_grace = [m for m in mail.outbox if m.to == [org.grace.email]]
    assert len(to_grace) == 1 + len(monthly.reminder_offsets)
    assert [("Reminder" in m.subject) for m in to_grace] == [False, True, True]


def test_reminder_waves_missed_while_the_system_was_down_send_one_reminder_not_two(
    org, monthly
) -> None:
    with time_machine.travel(NOV_1_2026_0900_LONDON, tick=False):
        run_tick()
    # Down from day 1 to day 6: both reminder days (3 and 5) passed unseen.
    with time_machine.travel(NOV_1_2026_0900_LONDON + timedelta(days=6), tick=False):
        run_tick()
        run_tick()
    to_grace = [m for m in mail.outbox if m.to == [org.grace.email]]
    assert len(to_grace) == 2
