"""Sending survives a worker killed mid-batch and a broker that lost its queue: the database
knows what is owed, so the next passes finish the job, with at most one repeated email per
killed worker. Each test runs on Redis, and on RabbitMQ when PULSE_TEST_RABBITMQ_URL names one
(a server that merely happens to listen on 5672 is not used)."""

import os
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import kombu
import pytest
import redis
from django.utils import timezone

from config.celery_app import app as celery_app
from surveys.launch import launch_now
from surveys.models import Cadence, Invitation
from surveys.outbox import read_outbox
from surveys.scheduler import run_tick
from surveys.tasks import SENDER_EXPIRES_SECONDS, send_owed_emails
from teams.models import Person
from teams.team_tree import sync_teams
from tests.conftest import WorkerProcess

PEOPLE = 40
RABBITMQ_URL = os.environ.get("PULSE_TEST_RABBITMQ_URL", "")
pytestmark = [
    pytest.mark.redis,
    pytest.mark.celery_worker,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]


@dataclass
class Broker:
    url: str
    result_backend: str
    redis_client: redis.Redis

    def dispatch(self, cycle_id: int) -> None:
        """What surveys.tasks.dispatch_sender does, on this broker."""
        with celery_app.connection_for_write(self.url) as connection:
            # Celery documents `connection` (reuse this one, not the pool's); celery-types omits
            # it. A list, as dispatch_sender sends; celery-types admits only a tuple.
            send_owed_emails.apply_async(  # type: ignore[call-arg]
                args=[cycle_id],  # type: ignore[arg-type]
                expires=SENDER_EXPIRES_SECONDS,
                connection=connection,
            )

    def lose_everything(self) -> None:
        if self.url.startswith("redis"):
            self.redis_client.flushdb()
            assert self.redis_client.dbsize() == 0
        else:
            with celery_app.connection_for_write(self.url) as connection:
                kombu.Queue("celery", channel=connection.default_channel).purge()


@pytest.fixture(
    params=["redis", pytest.param("rabbitmq", marks=pytest.mark.rabbitmq)],
)
def broker(request, redis_client: redis.Redis, settings) -> Broker:
    if request.param == "redis":
        return Broker(settings.CELERY_BROKER_URL, settings.CELERY_RESULT_BACKEND, redis_client)
    if not RABBITMQ_URL:
        pytest.skip("set PULSE_TEST_RABBITMQ_URL=amqp://... to run against RabbitMQ")
    return Broker(RABBITMQ_URL, "rpc://", redis_client)


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


def slow_worker(tmp_path: Path, name: str, broker: Broker) -> WorkerProcess:
    return WorkerProcess(
        tmp_path / f"{name}.log",
        CELERY_BROKER_URL=broker.url,
        CELERY_RESULT_BACKEND=broker.result_backend,
        PULSE_TEST_EMAIL_BACKEND="tests.support.slow_email.SlowFileBackend",
        EMAIL_FILE_PATH=str(tmp_path / "outbox"),
        PULSE_EMAIL_BATCH_SIZE="10",
        PULSE_SEND_CLAIM_SECONDS="3",
        # The file backend has no server to wait for; a claim this short needs a timeout to match.
        EMAIL_TIMEOUT="0.5",
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


def finish_with_ticks(cycle_id: int, broker: Broker, timeout: float = 90) -> None:
    def all_sent() -> bool:
        run_tick(dispatch_sender=broker.dispatch)
        return sent_count(cycle_id) == PEOPLE

    assert wait_for(all_sent, timeout=timeout, every=1.0), f"only {sent_count(cycle_id)} sent"


def emails_per_recipient(tmp_path: Path) -> Counter:
    return Counter(message.to for message in read_outbox(tmp_path / "outbox", limit=10_000))


def kill_mid_batch(tmp_path: Path, cycle_id: int, broker: Broker) -> None:
    worker = slow_worker(tmp_path, "first", broker)
    broker.dispatch(cycle_id)
    assert wait_for(lambda: sent_count(cycle_id) >= 5, timeout=60)
    worker.kill()
    assert sent_count(cycle_id) < PEOPLE, "the kill came too late to test anything"


def finish_with_a_new_worker(tmp_path: Path, cycle_id: int, broker: Broker) -> None:
    """Restart a worker, let the ticks finish, and check what everyone received."""
    second = slow_worker(tmp_path, "second", broker)
    try:
        finish_with_ticks(cycle_id, broker)
    finally:
        second.stop()
    received = emails_per_recipient(tmp_path)
    assert len(received) == PEOPLE, "everyone got their invitation"
    assert sum(received.values()) - PEOPLE <= 1, "at most one repeat for the one killed worker"


def test_a_worker_killed_mid_batch_is_recovered_with_at_most_one_repeat(
    tmp_path, launched_cycle, broker
) -> None:
    kill_mid_batch(tmp_path, launched_cycle, broker)
    finish_with_a_new_worker(tmp_path, launched_cycle, broker)


def test_a_flushed_broker_loses_nothing_because_the_database_knows_what_is_owed(
    tmp_path, launched_cycle, broker
) -> None:
    kill_mid_batch(tmp_path, launched_cycle, broker)
    broker.dispatch(launched_cycle)  # queued with no worker running…
    broker.lose_everything()  # …and lost, together with the killed worker's unacked message
    finish_with_a_new_worker(tmp_path, launched_cycle, broker)
