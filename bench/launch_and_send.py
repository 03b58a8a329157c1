"""Launch a cycle for a large synthetic organisation, then send its whole wave of invitations
to an SMTP sink in a process of its own, against the sink's raw rate measured in the same run.

Usage:
    .venv/bin/python bench/launch_and_send.py [--people 100000] [--database postgres|sqlite]
        [--senders 2] [--pulse-seconds 30] [--baseline-seconds 10]

The script sets Django up itself, with production-like settings (DEBUG off, so no query log),
in a fresh database: a scratch SQLite file in a temporary folder, or the PostgreSQL database
`pulse_bench_sending` on 127.0.0.1:5432 (dropped and created again;
PULSE_BENCH_POSTGRES_SERVER points at another server). It builds an organisation with realistic
reporting lines, runs `sync_teams()` and measures:

1. `launch_now()`: freezing items, the org snapshot with reporting units, and every invitation,
   in wall time and in SQL statements.
2. The sinks (`bench/smtp_sink.py`): a minimal asyncio sink and aiosmtpd, each in its own
   process, fed by plain smtplib clients sending one pre-rendered invitation over one
   connection per batch; the faster sink takes the wave.
3. The wave: every invitation of the cycle sent by `send_owed()` (claim, mint links under the
   cycle's lock, render, send over one connection per batch, mark sent) in `--senders` worker
   processes, in rounds of `--pulse-seconds` alternated with rounds of the plain clients
   (as many processes as senders) of `--baseline-seconds`: baseline, Pulse, baseline, ...,
   baseline. The ratio compares Pulse's rate with the baseline rate of the same run.

The figures are written to docs/benchmarks.md, section "Cycle launch and sending".
"""

import argparse
import multiprocessing
import random
import smtplib
import statistics
import sys
import tempfile
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import configure_django  # noqa: E402
from bench.launch_and_send_docs import Figures, Round, database_label, write_docs  # noqa: E402
from bench.smtp_sink import Sink, start_sink  # noqa: E402

POSTGRES_DATABASE = "pulse_bench_sending"

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


# --- Worker processes: the plain clients and Pulse's senders ---------------------------------


def runner(commands: Any, replies: Any) -> None:
    """One worker process (Django set up from the parent's environment): runs plain-client or
    Pulse rounds on command, and replies with what it sent."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.mail.utils import DNS_NAME
    from django.db import connection

    DNS_NAME.get_fqdn()  # resolved once per process; keep the lookup out of the timings
    while (command := commands.get()) is not None:
        kind, port, seconds, payload = command
        if kind == "plain":
            replies.put((plain_client(port, payload, seconds, settings.PULSE_EMAIL_BATCH_SIZE), 0))
            continue
        from surveys.sending import send_owed

        settings.EMAIL_PORT = port
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            result = send_owed(cycle_id=payload, time_budget_seconds=seconds)
        replies.put((result.sent, counter.total))


def plain_client(port: int, message: bytes, seconds: float, batch_size: int) -> int:
    """Pre-rendered copies of one invitation, one smtplib connection per batch, for `seconds`
    (finishing the batch in hand; a Pulse sender instead stops at its budget and gives the rest
    back)."""
    from django.core.mail.utils import DNS_NAME

    sent = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        with smtplib.SMTP("127.0.0.1", port, local_hostname=DNS_NAME.get_fqdn()) as client:
            for _ in range(batch_size):
                sent += 1
                client.sendmail("pulse@localhost", [f"person{sent}@example.com"], message)
    return sent


@dataclass
class Workers:
    commands: list[Any]
    replies: Any
    processes: list[Any] = field(default_factory=list)

    @classmethod
    def start(cls, count: int) -> "Workers":
        context = multiprocessing.get_context("spawn")
        workers = cls([context.Queue() for _ in range(count)], context.Queue())
        for number, commands in enumerate(workers.commands):
            process = context.Process(
                target=runner, args=(commands, workers.replies), name=f"sender {number}"
            )
            process.start()
            workers.processes.append(process)
        return workers

    def round(self, kind: str, port: int, seconds: float, payload: Any) -> tuple[int, int, float]:
        """(messages, queries, seconds) of one round run by every worker at once."""
        started = time.perf_counter()
        for commands in self.commands:
            commands.put((kind, port, seconds, payload))
        totals = [self.replies.get(timeout=seconds + 600) for _ in self.commands]
        elapsed = time.perf_counter() - started
        return sum(sent for sent, _ in totals), sum(queries for _, queries in totals), elapsed

    def stop(self) -> None:
        for commands in self.commands:
            commands.put(None)
        for process in self.processes:
            process.join(timeout=30)


def sample_message(cycle: Any) -> bytes:
    """One of our invitation emails as it goes on the wire, with a token of the real length."""
    from surveys.emails import SurveyFacts, build_email
    from surveys.tokens import new_token

    email = build_email(
        to="person1@example.com",
        name="Margaret Hamilton",
        token=new_token(),
        facts=SurveyFacts.of(cycle),
        is_reminder=False,
    )
    # Django's message classes take a line separator; the stubs know only the standard library's.
    return email.message().as_bytes(linesep="\r\n")  # type: ignore[call-arg]


def plain_round(workers: Workers, sink: Sink, message: bytes, seconds: float) -> Round:
    before = sink.messages
    sent, _, elapsed = workers.round("plain", sink.port, seconds, message)
    assert sink.messages - before == sent, "the sink did not receive every message"
    return Round("baseline", sent, elapsed)


def choose_sink(workers: Workers, message: bytes, seconds: float) -> tuple[Sink, dict[str, float]]:
    """Both sinks, each in its own process, fed by the plain clients in alternation; the faster
    one is kept for the wave."""
    sinks = {kind: start_sink(kind) for kind in ("minimal", "aiosmtpd")}
    rounds: dict[str, list[Round]] = {kind: [] for kind in sinks}
    for kind in ["minimal", "aiosmtpd"] * 2:
        rounds[kind].append(plain_round(workers, sinks[kind], message, seconds))
    rates = {kind: rate_of(kind_rounds) for kind, kind_rounds in rounds.items()}
    for kind, rate in rates.items():
        print(f"Sink {kind}: {rate:,.0f} messages/s from {len(workers.commands)} plain clients")
    fastest = max(rates, key=lambda kind: rates[kind])
    for kind, sink in sinks.items():
        if kind != fastest:
            sink.stop()
    return sinks[fastest], rates


def rate_of(rounds: list[Round]) -> float:
    return sum(r.messages for r in rounds) / sum(r.seconds for r in rounds)


def send_wave(
    cycle: Any, workers: Workers, sink: Sink, message: bytes, pulse_s: float, baseline_s: float
) -> tuple[list[Round], int]:
    """Baseline, Pulse, baseline, ... until Pulse has sent every invitation, then a baseline."""
    from surveys.models import Invitation

    rounds = [plain_round(workers, sink, message, baseline_s)]
    queries = 0
    while Invitation.objects.filter(cycle=cycle, emails_sent=0).exists():
        before = sink.messages
        sent, round_queries, elapsed = workers.round("pulse", sink.port, pulse_s, cycle.pk)
        assert sink.messages - before == sent, "the sink did not receive every email"
        queries += round_queries
        rounds.append(Round("pulse", sent, elapsed))
        print(f"  Pulse {sent:,} in {elapsed:.1f} s = {sent / elapsed:,.0f}/s", flush=True)
        rounds.append(plain_round(workers, sink, message, baseline_s))
        print(f"  baseline {rounds[-1].messages / rounds[-1].seconds:,.0f}/s", flush=True)
    return rounds, queries


def run(people: int, database: str, senders: int, pulse_s: float, baseline_s: float) -> Figures:
    scratch = Path(tempfile.mkdtemp(prefix="pulse-bench-"))
    configure_django(database, scratch, POSTGRES_DATABASE)
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from surveys.launch import launch_now
    from surveys.models import Cadence, Invitation, InvitationToken
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
    if connection.vendor == "postgresql":
        # What autovacuum would have done by now; the shared server here runs without it.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    message = sample_message(cycle)
    connection.close()  # the workers are separate processes with connections of their own

    workers = Workers.start(senders)
    try:
        sink, sink_rates = choose_sink(workers, message, baseline_s)
        try:
            wave_started = time.perf_counter()
            rounds, send_queries = send_wave(cycle, workers, sink, message, pulse_s, baseline_s)
            wave_wall_seconds = time.perf_counter() - wave_started
        finally:
            sink.stop()
    finally:
        workers.stop()
    assert Invitation.objects.filter(cycle=cycle, emails_sent=1).count() == people
    assert InvitationToken.objects.filter(invitation__cycle=cycle).count() == people
    figures = Figures(
        database=database,
        people=people,
        teams=shape.teams,
        depth=shape.depth,
        teams_below_k=shape.teams_below_k,
        sync_seconds=sync_seconds,
        launch_seconds=launch_seconds,
        launch_queries=launch_counter.total,
        invited=invited,
        batch_size=settings.PULSE_EMAIL_BATCH_SIZE,
        senders=senders,
        sink_kind=sink.kind,
        sink_rates=sink_rates,
        rounds=rounds,
        wave_wall_seconds=wave_wall_seconds,
        send_queries=send_queries,
        message_bytes=len(message),
        load_average=Path("/proc/loadavg").read_text().split()[0],
    )
    pulse = [r for r in rounds if r.kind == "pulse"]
    baseline = [r for r in rounds if r.kind == "baseline"]
    ratios = [r.messages / r.seconds / rate_of([b]) for r, b in zip(pulse, baseline, strict=False)]
    print(
        f"Wave: {people:,} emails in {sum(r.seconds for r in pulse):.0f} s of sending "
        f"({wave_wall_seconds:.0f} s with the baseline rounds): {rate_of(pulse):,.0f}/s against "
        f"the baseline's {rate_of(baseline):,.0f}/s = {rate_of(pulse) / rate_of(baseline):.0%} "
        f"(per round {min(ratios):.0%}-{max(ratios):.0%}, median "
        f"{statistics.median(ratios):.0%}); {send_queries / people:.2f} queries per email"
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--senders", type=int, default=2, help="sender processes")
    parser.add_argument("--pulse-seconds", type=float, default=30)
    parser.add_argument("--baseline-seconds", type=float, default=10)
    parser.add_argument("--no-docs", action="store_true", help="do not update the docs")
    arguments = parser.parse_args()
    figures = run(
        arguments.people,
        arguments.database,
        arguments.senders,
        arguments.pulse_seconds,
        arguments.baseline_seconds,
    )
    if not arguments.no_docs:
        write_docs(figures, database_label(arguments.database))


if __name__ == "__main__":
    main()
