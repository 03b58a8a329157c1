"""Tokens live in emails only: never in a log line, a SQL parameter, a task argument or Redis.
And nothing is ever scheduled further ahead than the broker would keep it."""

import json
import logging
import re
from datetime import timedelta
from typing import Any

import pytest
import redis
import time_machine
from django.conf import settings as django_settings
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from surveys.launch import launch_now
from surveys.models import Cadence, Invitation
from surveys.outbox import read_outbox
from surveys.redemption import redeem
from surveys.scheduler import run_tick
from surveys.tasks import MAX_SEND_RETRIES, SENDER_EXPIRES_SECONDS, dispatch_sender, retry_countdown
from teams.models import Person
from teams.team_tree import sync_teams
from tests.conftest import WorkerProcess
from tests.surveys.conftest import NOV_1_2026_0900_LONDON

TOKEN_IN_LINK = re.compile(r"/a/(?:[A-Za-z0-9_\-]{20,}/)?([A-Za-z0-9_\-]{20,})/")


def tokens_in(texts: list[str]) -> set[str]:
    return {token for text in texts for token in TOKEN_IN_LINK.findall(text)}


def test_no_retry_or_expiry_reaches_past_the_brokers_visibility_timeout() -> None:
    visibility = django_settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert all(retry_countdown(n) < visibility for n in range(MAX_SEND_RETRIES + 1))
    assert visibility > SENDER_EXPIRES_SECONDS
    beat_schedule: dict[str, dict[str, Any]] = django_settings.CELERY_BEAT_SCHEDULE
    for entry in beat_schedule.values():
        assert entry["schedule"] < visibility
        assert entry["options"]["expires"] <= entry["schedule"]


@pytest.mark.django_db
def test_a_whole_cycle_at_debug_level_logs_no_token(org, monthly, caplog) -> None:
    for name in ("", "django", "django.db.backends", "surveys", "teams"):
        caplog.set_level(logging.DEBUG, logger=name)
    connection.force_debug_cursor = True  # log every SQL statement with its parameters
    try:
        with CaptureQueriesContext(connection) as queries:
            with time_machine.travel(NOV_1_2026_0900_LONDON, tick=False):
                run_tick()
            tokens = tokens_in([str(m.body) for m in mail.outbox])
            for token in list(tokens)[:6]:
                with transaction.atomic():
                    redeem(token)
            with time_machine.travel(NOV_1_2026_0900_LONDON + timedelta(days=3), tick=False):
                run_tick()
            tokens |= tokens_in([str(m.body) for m in mail.outbox])
            with time_machine.travel(NOV_1_2026_0900_LONDON + timedelta(days=8), tick=False):
                run_tick()
    finally:
        connection.force_debug_cursor = False
    # The invitation, and the reminder that goes to everyone invited, answered or not.
    assert len(tokens) == 2 * len(org.everyone)
    logged = caplog.text + json.dumps([q["sql"] for q in queries.captured_queries])
    # The capture did see the work: launch, the digest inserts and look-ups (withheld), the
    # close.
    assert "launched with" in caplog.text and "closed" in caplog.text
    assert "surveys_invitationtoken" not in caplog.text
    assert "[a statement on answers, links or answered invitations, not logged]" in caplog.text
    assert [token for token in tokens if token in logged] == []


def as_text(value: object) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def redis_dump(client: redis.Redis) -> str:
    parts = []
    for key in client.scan_iter():
        kind = as_text(client.type(key))
        parts.append(as_text(key))
        if kind == "string":
            parts.append(as_text(client.get(key)))
        elif kind == "list":
            parts.extend(as_text(v) for v in client.lrange(key, 0, -1))
        elif kind == "hash":
            parts.extend(as_text(v) for v in client.hvals(key))
        elif kind == "zset":
            parts.extend(as_text(v) for v in client.zrange(key, 0, -1))
        elif kind == "set":
            parts.extend(as_text(v) for v in client.smembers(key))
    return "\n".join(parts)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_broker_carries_cycle_ids_and_never_a_token_or_an_address(
    tmp_path, redis_client, item_catalogue
) -> None:
    redis_client.flushdb()
    boss = Person.objects.create(employee_id="0", email="boss@example.com", name="Boss")
    for n in range(1, 8):
        Person.objects.create(
            employee_id=str(n), email=f"person{n}@example.com", name=f"P {n}", manager=boss
        )
    sync_teams()
    cycle = launch_now(
        cadence=Cadence.objects.create(name="Pulse", kind="monthly"), now=timezone.now()
    )

    dispatch_sender(cycle.pk)  # no worker yet: the message waits in Redis for us to read
    queued = redis_dump(redis_client)
    assert f"[{cycle.pk}]" in queued.replace(" ", "")
    assert "@example.com" not in queued

    worker = WorkerProcess(
        tmp_path / "worker.log",
        PULSE_TEST_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path / "outbox"),
    ).start()
    try:
        deadline = timezone.now() + timedelta(seconds=60)
        while Invitation.objects.filter(cycle=cycle, emails_sent=1).count() < 8:
            assert timezone.now() < deadline, "the worker did not send the invitations"
        after = redis_dump(redis_client)
    finally:
        worker.stop()
    tokens = tokens_in([message.body for message in read_outbox(tmp_path / "outbox")])
    assert len(tokens) == 8
    worker_log = (tmp_path / "worker.log").read_text()
    assert [t for t in tokens if t in queued or t in after or t in worker_log] == []
