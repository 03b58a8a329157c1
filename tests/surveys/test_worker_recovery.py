"""Sending survives a worker killed mid-batch and a broker that lost its queue: the database
knows what is owed, so the next passes finish the job, with at most one repeated email per
killed worker."""

import time
from collections import Counter
from pathlib import Path

import pytest
import redis
from django.utils import timezone

from surveys.launch import launch_now
from surveys.models import Cadence, Invitation
from surveys.outbox import read_outbox
from surveys.scheduler import run_tick
from surveys.tasks import dispatch_sender
from teams.models import Person
from teams.team_tree import sync_teams
from tests.conftest import WorkerProcess

PEOPLE = 40
pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def launched_cycle(settings, redis_client: redis.Redis, item_catalogue: None) -> int:
    settings.PULSE_SEND_CLAIM_SECONDS = 3
    redis_client.flushdb()
    boss = Person.objects.create(employee_id="0", email="boss@example.com", name="Boss")
    Person.objects.bulk_create(
        Person(employee_id=str(n), email=f"person{n}@example.com", name=f"Person {n}", manager=boss)
        for n in range(1, PEOPLE)
    )
    sync_teams()
    cadence = Cadence.objects.create(name="Monthly pulse", kind="monthly")
    return launch_now(cadence=cadence, now=timezone.now()).pk


def slow_worker(tmp_path: Path, name: str) -> WorkerProcess:
    return WorkerProcess(
        tmp_path / f"{name}.log",
        PULSE_TEST_EMAIL_BACKEND="tests.support.slow_email.SlowFileBackend",
        EMAIL_FILE_PATH=str(tmp_path / "outbox"),
        PULSE_EMAIL_BATCH_SIZE="10",
        PULSE_SEND_CLAIM_SECONDS="3",
    ).start()


def sent_count(cycle_id: int) -> int:
    return Invitation.objects.filter(cycle_id=cycle_id, emails_sent=1).count()


def wait_for(condition, timeout: float, every: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return False


def finish_with_ticks(cycle_id: int, timeout: float = 90) -> None:
    def all_sent() -> bool:
        run_tick(dispatch_sender=dispatch_sender)
        return sent_count(cycle_id) == PEOPLE

    assert wait_for(all_sent, timeout=timeout, every=1.0), f"only {sent_count(cycle_id)} sent"


def emails_per_recipient(tmp_path: Path) -> Counter:
    return Counter(message.to for message in read_outbox(tmp_path / "outbox", limit=10_000))


def kill_mid_batch(tmp_path: Path, cycle_id: int) -> None:
    worker = slow_worker(tmp_path, "first")
    dispatch_sender(cycle_id)
    assert wait_for(lambda: sent_count(cycle_id) >= 5, timeout=60)
    worker.kill()
    assert sent_count(cycle_id) < PEOPLE, "the kill came too late to test anything"


def test_a_worker_killed_mid_batch_is_recovered_with_at_most_one_repeat(
    tmp_path, launched_cycle
) -> None:
    kill_mid_batch(tmp_path, launched_cycle)
    second = slow_worker(tmp_path, "second")
    try:
        finish_with_ticks(launched_cycle)
    finally:
        second.stop()
    received = emails_per_recipient(tmp_path)
    assert len(received) == PEOPLE
    assert sum(received.values()) - PEOPLE <= 1


def test_a_flushed_broker_loses_nothing_because_the_database_knows_what_is_owed(
    tmp_path, launched_cycle, redis_client
) -> None:
    kill_mid_batch(tmp_path, launched_cycle)
    dispatch_sender(launched_cycle)  # queued with no worker running…
    redis_client.flushdb()  # …and lost, together with the killed worker's unacked message
    assert redis_client.dbsize() == 0
    second = slow_worker(tmp_path, "second")
    try:
        finish_with_ticks(launched_cycle)
    finally:
        second.stop()
    received = emails_per_recipient(tmp_path)
    assert len(received) == PEOPLE
    assert sum(received.values()) - PEOPLE <= 1
