"""Launch a cycle for a large synthetic organisation, then send its invitations to a local sink.

Usage:
    .venv/bin/python bench/launch_and_send.py [--people 100000] [--database sqlite|postgres]
        [--send 10000]

The script sets Django up itself, with production-like settings (DEBUG off, so no query log),
in a fresh database: a scratch SQLite file in a temporary folder, or the PostgreSQL database
`pulse_bench_launch` on 127.0.0.1:5432 (dropped and created again;
PULSE_BENCH_POSTGRES_SERVER points at another server). It builds an organisation with realistic
reporting lines, runs `sync_teams()` and measures:

1. `launch_now()`: freezing items, the org snapshot with reporting units, and every invitation,
   in wall time and in SQL statements.
2. Sending, against an aiosmtpd sink on 127.0.0.1 that counts and discards: first the sink's own
   rate (one smtplib connection sending prebuilt messages of the size ours have), then Pulse's
   `send_owed()` for the same number of invitations of the launched cycle (claim, token, render,
   send, mark sent; one connection per batch of PULSE_EMAIL_BATCH_SIZE). The sink is measured
   before and after Pulse and the faster of the two is kept, so the ratio is not flattered.

The figures are written to docs/benchmarks.md, section "Cycle launch and sending": one table row
per database and people count, rows of other runs kept.
"""

import argparse
import random
import smtplib
import socket
import sys
import tempfile
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import configure_django  # noqa: E402
from bench.launch_and_send_docs import Figures, database_label, write_docs  # noqa: E402

POSTGRES_DATABASE = "pulse_bench_launch"

# Org shape: spans of 5-10 with a share of small teams below k=5; some reports are individual
# contributors, so the tree is ragged: six levels of teams at 100,000 people.
SMALL_TEAM_SHARE = 0.08
INDIVIDUAL_CONTRIBUTOR_SHARE = 0.03
FIRST_NAMES = ["Ada", "Grace", "Linus", "Margaret", "Alan", "Barbara", "Edsger", "Frances"]
LAST_NAMES = ["Lovelace", "Hopper", "Torvalds", "Hamilton", "Turing", "Liskov", "Allen"]


@dataclass(frozen=True)
class OrgShape:
    managers: list[int | None]  # index of each person's manager, None for the top person
    depth: int  # levels of the team tree
    teams: int
    teams_below_k: int


def org_shape(people: int, *, seed: int, k: int = 5) -> OrgShape:
    """Reporting lines grown breadth-first, so every level fills before the next starts."""
    rng = random.Random(seed)
    managers: list[int | None] = [None]
    levels = [0]
    frontier = deque([0])
    while len(managers) < people and frontier:
        boss = frontier.popleft()
        # Small teams sit lower down; the top of the organisation has full ones.
        small = levels[boss] >= 2 and rng.random() < SMALL_TEAM_SHARE
        span = rng.randint(2, 4) if small else rng.randint(5, 10)
        for _ in range(min(span, people - len(managers))):
            managers.append(boss)
            levels.append(levels[boss] + 1)
            if rng.random() >= INDIVIDUAL_CONTRIBUTOR_SHARE:
                frontier.append(len(managers) - 1)
    spans = Counter(manager for manager in managers if manager is not None)
    # The top person counts in the root team they lead.
    spans[0] += 1
    return OrgShape(
        managers=managers,
        depth=max(levels[leader] for leader in spans) + 1,
        teams=len(spans),
        teams_below_k=sum(1 for size in spans.values() if size < k),
    )


def create_people(shape: OrgShape) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    from teams.models import Person

    rng = random.Random(1)
    Person.objects.bulk_create(
        (
            Person(
                id=index + 1,
                employee_id=f"E{index + 1:06d}",
                email=f"person{index + 1}@example.com",
                name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                manager_id=None if manager is None else manager + 1,
            )
            for index, manager in enumerate(shape.managers)
        ),
        batch_size=2000,
    )
    # Explicit ids leave PostgreSQL's sequence behind; later inserts must not collide.
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [Person]):
            cursor.execute(statement)


class QueryCounter:
    """Counts SQL statements by verb without Django's debug cursor (which formats each one)."""

    def __init__(self) -> None:
        self.by_verb: Counter[str] = Counter()

    def __call__(self, execute: Callable, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.by_verb[sql.lstrip().split(None, 1)[0].upper()] += 1
        return execute(sql, params, many, context)

    @property
    def total(self) -> int:
        return sum(self.by_verb.values())

    def summary(self) -> str:
        return ", ".join(f"{verb} {count}" for verb, count in self.by_verb.most_common())


class CountingSink:
    """An aiosmtpd handler that accepts every message, counts it and throws it away."""

    def __init__(self) -> None:
        self.messages = 0
        self.bytes = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages += 1
        self.bytes += len(envelope.content)
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def sink_seconds(host: str, port: int, message: bytes, count: int, sink: CountingSink) -> float:
    """How long one plain smtplib connection takes to get `count` messages through the sink."""
    from django.core.mail.utils import DNS_NAME

    before = sink.messages
    started = time.perf_counter()
    with smtplib.SMTP(host, port, local_hostname=DNS_NAME.get_fqdn()) as client:
        for number in range(count):
            client.sendmail("pulse@localhost", [f"person{number + 1}@example.com"], message)
    elapsed = time.perf_counter() - started
    assert sink.messages - before == count, "the sink did not receive every message"
    return elapsed


@dataclass(frozen=True)
class Sending:
    sink_rate: float
    pulse_rate: float
    queries: int
    message_bytes: int


def measure_sending(cycle: Any, emails: int, rounds: int) -> Sending:
    """The sink's rate and Pulse's, over the first `emails` invitations of the cycle.

    The machine's speed drifts by tens of percent within a minute (a shared virtual machine),
    so the two are measured in alternating rounds, each round releasing its share of the
    invitations for `send_owed()`, and the totals compared.
    """
    from aiosmtpd.controller import Controller
    from django.core.mail.utils import DNS_NAME
    from django.db import connection
    from django.test import override_settings

    from surveys.models import Invitation
    from surveys.sending import send_owed

    ids = list(Invitation.objects.filter(cycle=cycle).order_by("pk").values_list("pk", flat=True))[
        :emails
    ]
    # Nothing is owed until a round releases its share.
    Invitation.objects.filter(cycle=cycle).update(emails_sent=1)
    if connection.vendor == "postgresql":
        # What autovacuum would have done by now; the shared server here runs without it, and
        # the line above just left a dead version of every invitation behind.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    shares = [ids[number::rounds] for number in range(rounds)]

    sink = CountingSink()
    host, port = "127.0.0.1", free_port()
    controller = Controller(sink, hostname=host, port=port)
    controller.start()
    DNS_NAME.get_fqdn()  # resolved once per process; keep the lookup out of both timings
    counter = QueryCounter()
    sink_total = pulse_total = 0.0
    pulse_bytes = 0
    smtp = override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST=host,
        EMAIL_PORT=port,
        EMAIL_USE_TLS=False,
    )
    try:
        message = sample_message(cycle)
        for number, share in enumerate(shares):
            Invitation.objects.filter(pk__in=share).update(emails_sent=0)
            sink_first = number % 2 == 0
            if sink_first:
                sink_total += sink_seconds(host, port, message, len(share), sink)
            received, received_bytes = sink.messages, sink.bytes
            with smtp, connection.execute_wrapper(counter):
                started = time.perf_counter()
                result = send_owed(cycle_id=cycle.pk)
                pulse_total += time.perf_counter() - started
            assert result.sent == len(share) == sink.messages - received, result
            pulse_bytes += sink.bytes - received_bytes
            if not sink_first:
                sink_total += sink_seconds(host, port, message, len(share), sink)
    finally:
        controller.stop()
    sending = Sending(
        sink_rate=emails / sink_total,
        pulse_rate=emails / pulse_total,
        queries=counter.total,
        message_bytes=len(message),
    )
    print(
        f"Sink: {emails:,} messages of {len(message):,} bytes in {sink_total:.2f} s = "
        f"{sending.sink_rate:,.0f}/s over one connection"
    )
    print(
        f"Pulse: {emails:,} emails averaging {pulse_bytes // emails:,} bytes in "
        f"{pulse_total:.2f} s = {sending.pulse_rate:,.0f}/s, {counter.total} queries "
        f"({counter.summary()}); {sending.pulse_rate / sending.sink_rate:.0%} of the sink"
    )
    return sending


def sample_message(cycle: Any) -> bytes:
    """One of our invitation emails as it goes on the wire, with a token of the real length."""
    from surveys.emails import SurveyFacts, build_email
    from surveys.tokens import new_token

    facts = SurveyFacts(
        question_count=cycle.items.count() + 1,
        closes_at=cycle.closes_at,
        time_zone=cycle.cadence.time_zone,
        k=cycle.k,
    )
    email = build_email(
        to="person1@example.com",
        name="Margaret Hamilton",
        token=new_token(),
        facts=facts,
        is_reminder=False,
    )
    # Django's message classes take a line separator; the stubs know only the standard library's.
    return email.message().as_bytes(linesep="\r\n")  # type: ignore[call-arg]


def run(people: int, database: str, send: int, rounds: int) -> Figures:
    scratch = Path(tempfile.mkdtemp(prefix="pulse-bench-"))
    configure_django(database, scratch, POSTGRES_DATABASE)
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from surveys.launch import launch_now
    from surveys.models import Cadence, Invitation
    from teams.team_tree import sync_teams

    shape = org_shape(people, seed=2026)
    create_people(shape)
    started = time.perf_counter()
    sync_teams()
    sync_seconds = time.perf_counter() - started
    print(
        f"{people:,} people in {shape.teams:,} teams, {shape.depth} levels of teams, "
        f"{shape.teams_below_k:,} teams below k=5; sync_teams {sync_seconds:.1f} s"
    )

    cadence = Cadence.objects.create(name="Monthly pulse", kind="monthly")
    launch_counter = QueryCounter()
    with connection.execute_wrapper(launch_counter):
        started = time.perf_counter()
        cycle = launch_now(cadence=cadence, now=timezone.now())
        launch_seconds = time.perf_counter() - started
    invited = Invitation.objects.filter(cycle=cycle).count()
    assert invited == cycle.invited_count == people, (invited, cycle.invited_count)
    print(
        f"Launch: {launch_seconds:.2f} s, {launch_counter.total} queries "
        f"({launch_counter.summary()}), {invited:,} invitations"
    )

    emails = min(send, invited) if send else invited
    sending = measure_sending(cycle, emails, rounds)
    return Figures(
        database=database,
        people=people,
        teams=shape.teams,
        depth=shape.depth,
        teams_below_k=shape.teams_below_k,
        sync_seconds=sync_seconds,
        launch_seconds=launch_seconds,
        launch_queries=launch_counter.total,
        launch_query_summary=launch_counter.summary(),
        invited=invited,
        emails=emails,
        batch_size=settings.PULSE_EMAIL_BATCH_SIZE,
        rounds=rounds,
        sink_rate=sending.sink_rate,
        pulse_rate=sending.pulse_rate,
        send_queries=sending.queries,
        message_bytes=sending.message_bytes,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--send", type=int, default=10_000, help="emails to send (0: every invitation)"
    )
    parser.add_argument(
        "--rounds", type=int, default=10, help="alternating sink and Pulse rounds to send in"
    )
    parser.add_argument("--no-docs", action="store_true", help="do not update the docs")
    arguments = parser.parse_args()
    figures = run(arguments.people, arguments.database, arguments.send, arguments.rounds)
    if not arguments.no_docs:
        write_docs(figures, database_label(arguments.database))


if __name__ == "__main__":
    main()
