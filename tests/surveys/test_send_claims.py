"""Claims that stay true. A sender with a slow mail server keeps its rows for as long as it is
alive, stops the moment another sender has taken them, and gives back what it did not send when
its time is up; with a slow server and a short claim, everyone still gets exactly one email."""

import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from surveys import sending
from surveys.closing import close_cycle
from surveys.launch import launch_now
from surveys.models import Cadence, Cycle, Invitation
from surveys.send_claims import claim_batch, cycles_owing_email
from surveys.sending import send_owed
from teams.models import Person
from teams.team_tree import sync_teams
from tests.support.slow_smtp import slow_mail_server
from tests.surveys.conftest import NOV_1_2026_0900_LONDON, Org
from tests.test_project import run_django_setup

pytestmark = pytest.mark.django_db

OTHER_SENDER = uuid.uuid4()


def launched(monthly: Cadence) -> Cycle:
    return launch_now(cadence=monthly, now=NOV_1_2026_0900_LONDON)


def emails_per_person() -> Counter[str]:
    return Counter(message.to[0] for message in mail.outbox)


def deliver_then(monkeypatch, after_each: Callable[[], None]) -> None:
    """Send as usual, then do `after_each` while the email's "sent" mark is not yet written."""
    deliver = sending.deliver

    def delivering(connection, message) -> None:
        deliver(connection, message)
        after_each()

    monkeypatch.setattr(sending, "deliver", delivering)


def take_rows(rows) -> None:
    """What another sender does once it judges this one's claim dead: claim its rows."""
    rows.update(send_batch=OTHER_SENDER, claimed_at=timezone.now())


def test_a_sender_whose_rows_were_taken_stops_at_once_and_still_records_the_email_that_left(
    org: Org, monthly, monkeypatch
) -> None:
    cycle = launched(monthly)

    def lose_the_claim_on_the_third_email() -> None:
        if len(mail.outbox) == 3:
            take_rows(Invitation.objects.filter(cycle=cycle, send_batch__isnull=False))

    deliver_then(monkeypatch, lose_the_claim_on_the_third_email)

    result = send_owed(cycle_id=cycle.pk)

    assert len(mail.outbox) == 3, "no email after the claim was lost"
    assert result.sent == 3 and result.claim_lost
    third = Invitation.objects.get(cycle=cycle, person__email=mail.outbox[2].to[0])
    assert third.emails_sent == 1, "the email that left is recorded, so nobody sends it again"
    assert third.send_batch == OTHER_SENDER, "the other sender's claim is left alone"
    taken = Invitation.objects.filter(cycle=cycle, send_batch=OTHER_SENDER, emails_sent=0)
    assert taken.count() == len(org.everyone) - 3


def test_a_renewal_that_finds_a_row_taken_stops_the_sender_before_its_next_email(
    org: Org, monthly, settings, monkeypatch
) -> None:
    settings.PULSE_SEND_CLAIM_SECONDS = 1  # renewed every 0.1 s
    cycle = launched(monthly)
    last = Invitation.objects.filter(cycle=cycle).order_by("-pk")[0]

    def slow_and_the_last_row_taken_after_the_second() -> None:
        time.sleep(0.15)  # a renewal is due before every next email
        if len(mail.outbox) == 2:
            take_rows(Invitation.objects.filter(pk=last.pk))

    deliver_then(monkeypatch, slow_and_the_last_row_taken_after_the_second)

    result = send_owed(cycle_id=cycle.pk)

    assert len(mail.outbox) == 2 and result.claim_lost
    assert Invitation.objects.get(pk=last.pk).send_batch == OTHER_SENDER
    given_back = Invitation.objects.filter(cycle=cycle, send_batch__isnull=True, emails_sent=0)
    assert given_back.count() == len(org.everyone) - 3, "the rest is free for the next sender"


def test_a_sender_whose_time_is_up_gives_back_what_it_did_not_send_at_once(
    org: Org, monthly, monkeypatch
) -> None:
    cycle = launched(monthly)
    deliver_then(monkeypatch, lambda: time.sleep(0.1))

    first = send_owed(cycle_id=cycle.pk, time_budget_seconds=0.25)

    assert 1 <= first.sent < len(org.everyone)
    assert first.handed_back == len(org.everyone) - first.sent
    assert cycles_owing_email() == [cycle.pk], "free now, not once a claim timeout has passed"
    second = send_owed(cycle_id=cycle.pk)
    assert first.sent + second.sent == len(org.everyone)
    assert emails_per_person() == Counter({person.email: 1 for person in org.everyone})


@pytest.mark.slow  # two Django start-ups in subprocesses
def test_claims_on_sending_too_short_for_one_slow_email_stop_start_up_with_the_reason() -> None:
    result = run_django_setup(PULSE_SEND_CLAIM_SECONDS="60", EMAIL_TIMEOUT="30")
    assert result.returncode != 0
    assert "PULSE_SEND_CLAIM_SECONDS=60 is shorter than one slow email" in result.stderr
    result = run_django_setup(PULSE_SEND_CLAIM_SECONDS="60", EMAIL_TIMEOUT="10")
    assert result.returncode == 0, result.stderr


# --- Senders side by side, in threads of their own (each with its own database connection) ----


def surveyed_cycle(people: int) -> int:
    boss = Person.objects.create(employee_id="0", email="boss@example.com", name="Boss")
    Person.objects.bulk_create(
        Person(employee_id=str(n), email=f"person{n}@example.com", name=f"Person {n}", manager=boss)
        for n in range(1, people)
    )
    sync_teams()
    cadence = Cadence.objects.create(name="Monthly pulse", kind="monthly")
    return launch_now(cadence=cadence, now=timezone.now()).pk


def owed(cycle_id: int) -> bool:
    return Invitation.objects.filter(cycle_id=cycle_id, emails_sent=0).exists()


def senders_like_ticks(cycle_id: int, senders: int, seconds: float) -> list[BaseException]:
    """`senders` threads, each starting a sender again and again (as every tick would) until
    nothing is owed; what they raised, if anything."""
    errors: list[BaseException] = []

    def sender() -> None:
        try:
            deadline = time.monotonic() + seconds
            while owed(cycle_id) and time.monotonic() < deadline:
                send_owed(cycle_id=cycle_id)
                time.sleep(0.05)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 30)
    return errors


@pytest.mark.smtp
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_with_a_slow_mail_server_and_a_short_claim_everyone_gets_exactly_one_email(
    item_catalogue, settings
) -> None:
    people = 30
    cycle_id = surveyed_cycle(people)
    settings.PULSE_EMAIL_BATCH_SIZE = people  # one batch could hold everyone…
    settings.PULSE_SEND_CLAIM_SECONDS = 1  # …and takes longer than a claim to send
    with slow_mail_server(seconds_per_message=0.05) as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port

        assert senders_like_ticks(cycle_id, senders=2, seconds=60) == []

        received = server.emails_per_recipient()
    assert len(received) == people, "everyone got their invitation"
    assert set(received.values()) == {1}, "and nobody got it twice"


@pytest.mark.slow  # several seconds of a claim running out, on purpose
@pytest.mark.django_db(transaction=True)
def test_one_message_that_takes_most_of_a_claim_does_not_let_another_sender_take_the_rest(
    item_catalogue, settings, monkeypatch
) -> None:
    """The slow message starts a quarter of a claim into the batch and takes 0.85 of a claim, so
    it ends after the batch's first claim would have lapsed: only renewals keep it."""
    people = 40
    claim_seconds = 4
    cycle_id = surveyed_cycle(people)
    settings.PULSE_SEND_CLAIM_SECONDS = claim_seconds
    started: list[float] = []
    slow_one_sent = threading.Event()
    deliver = sending.deliver

    def one_slow_message(connection, message) -> None:
        if not started:
            started.append(time.monotonic())
        if not slow_one_sent.is_set() and time.monotonic() - started[0] >= claim_seconds / 4:
            slow_one_sent.set()
            time.sleep(0.85 * claim_seconds)
        else:
            time.sleep(0.05)
        deliver(connection, message)

    monkeypatch.setattr(sending, "deliver", one_slow_message)

    assert senders_like_ticks(cycle_id, senders=2, seconds=60) == []

    assert slow_one_sent.is_set()
    assert emails_per_person() == Counter(
        Invitation.objects.filter(cycle_id=cycle_id).values_list("person__email", flat=True)
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_sender_that_finds_every_owed_row_locked_for_a_moment_looks_again_instead_of_quitting(
    item_catalogue, org: Org, monthly
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no row locks to skip: claims wait for each other at BEGIN")
    cycle = launched(monthly)
    locked, let_go = threading.Event(), threading.Event()

    def hold_every_row_a_moment() -> None:
        # As another sender's claim, or an answer being stored, holds rows for a moment.
        try:
            with transaction.atomic():
                list(Invitation.objects.filter(cycle=cycle).select_for_update())
                locked.set()
                let_go.wait(timeout=10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_every_row_a_moment)
    holder.start()
    assert locked.wait(timeout=10)
    threading.Timer(0.1, let_go.set).start()

    batch = claim_batch(cycle_id=cycle.pk)
    holder.join(timeout=10)

    assert batch is not None, "the sender looked again once the rows were free"
    assert Invitation.objects.filter(send_batch=batch).count() == len(org.everyone)


def test_a_close_in_the_middle_of_a_batch_stops_its_sender_after_the_email_in_flight(
    org: Org, monthly, monkeypatch
) -> None:
    cycle = launched(monthly)

    def close_after_the_second_email() -> None:
        if len(mail.outbox) == 2:
            assert close_cycle(cycle_id=cycle.pk)

    deliver_then(monkeypatch, close_after_the_second_email)

    result = send_owed(cycle_id=cycle.pk)

    assert len(mail.outbox) == 2, "no email with a link the close has already wiped"
    assert result.claim_lost
