"""Two senders of one cycle, each in a Celery worker process of its own, sending through a mail
server so slow that one batch would take longer than a claim: both send (neither quits while
emails are owed), and nobody gets two. The race is PostgreSQL's (SKIP LOCKED); on SQLite claims
queue at BEGIN, and the test runs there too."""

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.utils import timezone

from surveys.launch import launch_now
from surveys.models import Cadence, Invitation
from surveys.tasks import dispatch_sender
from teams.models import Person
from teams.team_tree import sync_teams
from tests.conftest import WorkerProcess
from tests.support.slow_smtp import SlowInbox, slow_mail_server

PEOPLE = 60
BATCH_SIZE = 20
SECONDS_PER_MESSAGE = 0.25
CLAIM_SECONDS = 4  # a whole batch would take 5 s
pytestmark = [pytest.mark.redis, pytest.mark.smtp, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cycle_id(redis_client: redis.Redis, item_catalogue: None) -> int:
    redis_client.flushdb()
    boss = Person.objects.create(employee_id="0", email="boss@example.com", name="Boss")
    Person.objects.bulk_create(
        Person(employee_id=str(n), email=f"person{n}@example.com", name=f"Person {n}", manager=boss)
        for n in range(1, PEOPLE)
    )
    sync_teams()
    cadence = Cadence.objects.create(name="Monthly pulse", kind="monthly")
    return launch_now(cadence=cadence, now=timezone.now()).pk


@pytest.fixture
def slow_server() -> Iterator[SlowInbox]:
    with slow_mail_server(seconds_per_message=SECONDS_PER_MESSAGE) as server:
        yield server


def sending_worker(log: Path, server: SlowInbox) -> WorkerProcess:
    return WorkerProcess(
        log,
        PULSE_TEST_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(server.port),
        EMAIL_TIMEOUT=str(CLAIM_SECONDS / 5),
        PULSE_EMAIL_BATCH_SIZE=str(BATCH_SIZE),
        PULSE_SEND_CLAIM_SECONDS=str(CLAIM_SECONDS),
    ).start()


def sent_by(log: Path) -> int:
    lines = re.findall(r"Batch of cycle \d+: (\d+) sent", log.read_text(errors="replace"))
    return sum(int(sent) for sent in lines)


def wait_until_all_sent(cycle_id: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not Invitation.objects.filter(cycle_id=cycle_id, emails_sent=0).exists():
            return
        time.sleep(0.2)
    raise AssertionError("the two senders left emails unsent")


def test_two_senders_of_one_cycle_both_send_and_nobody_gets_two_emails(
    tmp_path, cycle_id, slow_server
) -> None:
    workers = [sending_worker(tmp_path / f"worker{n}.log", slow_server) for n in (1, 2)]
    try:
        dispatch_sender(cycle_id)  # what one tick does with PULSE_SENDERS_PER_CYCLE=2
        dispatch_sender(cycle_id)
        wait_until_all_sent(cycle_id, timeout=90)
    finally:
        for worker in workers:
            worker.stop()

    received = slow_server.emails_per_recipient()
    assert len(received) == PEOPLE and set(received.values()) == {1}
    first, second = (sent_by(worker.log_path) for worker in workers)
    assert first + second == PEOPLE
    # Side by side from start to end: neither quit early and left the wave to the other.
    assert min(first, second) >= PEOPLE // 4, (first, second)
