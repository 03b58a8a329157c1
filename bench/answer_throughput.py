"""Answers per second through the real submit path, against a bare view that inserts one row.

Usage:
    .venv/bin/python bench/answer_throughput.py [--answers 3000] [--clients 16] [--rounds 3]
        [--workers W --threads T]

Needs PostgreSQL on 127.0.0.1:5432 (database `pulse_bench_answers`, dropped and created again)
and Redis (REDIS_URL, default 127.0.0.1:6379/14: link-guessing counters). It launches a cycle
for a synthetic organisation, mints one answer link per invitation (stored as digests, as
sending would), starts gunicorn with config/gunicorn.conf.py as shipped (its worker and thread
counts unless --workers/--threads are given) and, from loopback clients in this process:

1. **Saturation**: `--clients` keep-alive connections POST answers as fast as they can, to the
   real JSON answer endpoint (`POST /api/v1/pulse/{token}`: throttle check, validation,
   sealing, the door and the sealed ballot) and to a bare Django view that inserts one row
   with one INSERT, both served by the same gunicorn. The two alternate in `--rounds` rounds,
   so a machine that speeds up or slows down during the run (a shared host does) weighs on
   both alike. Throughput and p50/p99 latency for each; the ratio is Pulse's throughput over
   the bare view's.
2. **Fixed rate**: answers offered at 200 per second for 10 seconds; p50/p99 latency.

Worker recycling (max_requests) is off for the run: with a handful of long-lived keep-alive
connections, a recycled worker's clients all reconnect to whichever worker is free and stay
there, so the run would measure that imbalance instead of either path.

Every request is bounded in number and time, and only ever goes to 127.0.0.1. Writes the
figures to docs/benchmarks.md, section "Answer throughput".
"""

import argparse
import http.client
import json
import os
import queue
import runpy
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import configure_django, machine, replace_table_rows  # noqa: E402

SECTION = "## Answer throughput"
POSTGRES_DATABASE = "pulse_bench_answers"
FIXED_RATE, FIXED_SECONDS = 200, 10


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare(people: int) -> tuple[list[str], list[str]]:
    """A launched cycle; returns minted answer links and the keys of its questions."""
    from django.db import connection
    from django.utils import timezone

    from bench.launch_and_send import create_people, org_shape
    from surveys.launch import launch_now
    from surveys.models import Cadence, Invitation, InvitationToken
    from surveys.tokens import new_token, token_digest
    from teams.team_tree import sync_teams

    create_people(org_shape(people, seed=9))
    sync_teams()
    cycle = launch_now(
        cadence=Cadence.objects.create(name="Monthly", kind="monthly"), now=timezone.now()
    )
    tokens, rows = [], []
    for invitation_id in Invitation.objects.filter(cycle=cycle).values_list("pk", flat=True):
        token = new_token()
        tokens.append(token)
        rows.append(InvitationToken(invitation_id=invitation_id, digest=token_digest(token)))
    InvitationToken.objects.bulk_create(rows, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_bare (id uuid PRIMARY KEY, body text)")
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")  # autovacuum may be off on a shared server
    return tokens, list(cycle.items.values_list("key", flat=True))


def start_gunicorn(
    port: int, env: dict, workers: int | None, threads: int | None
) -> subprocess.Popen:
    sizing = []
    if workers:
        sizing += ["--workers", str(workers)]
    if threads:
        sizing += ["--threads", str(threads)]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "config/gunicorn.conf.py",
            *sizing,
            "--max-requests",
            "0",
            "--access-logfile",
            "/dev/null",
            "bench.bare_view_wsgi:application",
        ],
        cwd=ROOT,
        env={**env, "PORT": str(port), "DJANGO_SETTINGS_MODULE": "config.settings"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def post(connection: http.client.HTTPConnection, path: str, body: bytes) -> tuple[int, float]:
    started = time.perf_counter()
    connection.request(
        "POST",
        path,
        body=body,
        headers={"Content-Type": "application/json", "X-Forwarded-Proto": "https"},
    )
    response = connection.getresponse()
    response.read()
    return response.status, time.perf_counter() - started


@dataclass
class Run:
    latencies: list[float]
    statuses: dict[int, int]
    seconds: float


def saturate(port: int, jobs: list[tuple[str, bytes]], clients: int) -> Run:
    """Each client sends its next request as soon as the last one is answered."""

    def send(connection: http.client.HTTPConnection, job: tuple[str, bytes]) -> tuple[int, float]:
        return post(connection, *job)

    started = time.perf_counter()
    run = drive(port, jobs, clients, send)
    run.seconds = time.perf_counter() - started
    return run


def fixed_rate(port: int, jobs: list[tuple[str, bytes]], clients: int) -> dict:
    """Offer requests on a schedule of FIXED_RATE per second; latency counts from the slot."""
    start = time.perf_counter() + 0.5
    slots = [
        (start + index / FIXED_RATE, job)
        for index, job in enumerate(jobs[: FIXED_RATE * FIXED_SECONDS])
    ]

    def send(
        connection: http.client.HTTPConnection, slot: tuple[float, tuple[str, bytes]]
    ) -> tuple[int, float]:
        due, job = slot
        time.sleep(max(0.0, due - time.perf_counter()))
        status, _ = post(connection, *job)
        return status, time.perf_counter() - due

    run = drive(port, slots, clients * 4, send)
    run.seconds = FIXED_SECONDS
    return summary([run])


def drive(port: int, work: list, clients: int, send: Callable) -> Run:
    """`clients` keep-alive connections take items of `work` in turn until none is left;
    `send(connection, item)` returns the status and the latency to record."""
    pending: queue.Queue = queue.Queue()
    for item in work:
        pending.put(item)
    run = Run(latencies=[], statuses={}, seconds=0.0)
    lock = threading.Lock()

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            try:
                item = pending.get_nowait()
            except queue.Empty:
                break
            status, latency = send(connection, item)
            with lock:
                run.latencies.append(latency)
                run.statuses[status] = run.statuses.get(status, 0) + 1
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return run


def summary(runs: list[Run]) -> dict:
    ordered = sorted(latency for run in runs for latency in run.latencies)
    statuses: dict[int, int] = {}
    for run in runs:
        for code, count in run.statuses.items():
            statuses[code] = statuses.get(code, 0) + count
    return {
        "rate": len(ordered) / sum(run.seconds for run in runs),
        "p50": ordered[len(ordered) // 2] * 1000,
        "p99": ordered[int(len(ordered) * 0.99) - 1] * 1000,
        "statuses": statuses,
    }


def described(figures: dict) -> str:
    return f"{figures['rate']:.0f}/s, p50 {figures['p50']:.0f} ms, p99 {figures['p99']:.0f} ms"


def answer_jobs(tokens: list[str], keys: list[str]) -> list[tuple[str, bytes]]:
    body = json.dumps({"answers": {key: 5 for key in keys}, "enps": 8}).encode()
    return [(f"/api/v1/pulse/{token}", body) for token in tokens]


def gunicorn_sizing(workers: int | None, threads: int | None) -> str:
    shipped = runpy.run_path(str(ROOT / "config" / "gunicorn.conf.py"))
    return f"{workers or shipped['workers']} workers x {threads or shipped['threads']} threads"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, help="default: config/gunicorn.conf.py's")
    parser.add_argument("--threads", type=int, help="default: config/gunicorn.conf.py's")
    args = parser.parse_args()
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1"
    os.environ["PULSE_SSL_REDIRECT"] = "0"
    # Every bench request comes from 127.0.0.1; all links are valid, so nothing is throttled.
    with tempfile.TemporaryDirectory(prefix="pulse-bench-") as scratch:
        url = configure_django("postgres", Path(scratch), POSTGRES_DATABASE)
        needed = args.answers + FIXED_RATE * FIXED_SECONDS
        tokens, keys = prepare(int(needed * 1.05) + 100)
        answers = answer_jobs(tokens, keys)
        per_round = args.answers // args.rounds
        bare = [("/bench/bare", b'{"x": 1}')] * per_round
        port = free_port()
        environment = {**os.environ, "DATABASE_URL": url}
        server = start_gunicorn(port, environment, args.workers, args.threads)
        bare_runs, answer_runs = [], []
        try:
            saturate(port, bare[:200], args.clients)  # warm up both paths
            for number in range(args.rounds):
                bare_runs.append(saturate(port, bare, args.clients))
                batch = answers[number * per_round : (number + 1) * per_round]
                answer_runs.append(saturate(port, batch, args.clients))
            fixed = fixed_rate(port, answers[args.rounds * per_round :], args.clients)
        finally:
            server.terminate()
            server.wait(timeout=30)
    bare_figures, pulse_figures = summary(bare_runs), summary(answer_runs)
    assert set(pulse_figures["statuses"]) == {201}, pulse_figures["statuses"]
    assert set(fixed["statuses"]) == {201}, fixed["statuses"]
    sizing = gunicorn_sizing(args.workers, args.threads)
    command = (
        f".venv/bin/python bench/answer_throughput.py --answers {args.answers} "
        f"--clients {args.clients} --rounds {args.rounds}"
    )
    if args.workers or args.threads:
        command += f" --workers {args.workers} --threads {args.threads}"
    ratio = pulse_figures["rate"] / bare_figures["rate"]
    row = (
        f"| PostgreSQL | {sizing} | {args.clients} | {described(bare_figures)} "
        f"| {described(pulse_figures)} | {ratio:.0%} "
        f"| p50 {fixed['p50']:.0f} ms, p99 {fixed['p99']:.0f} ms | `{command}` |"
    )
    intro = (
        "The real answer path (`POST /api/v1/pulse/{token}`: the link-guessing check in "
        "Redis, the answers checked and sealed for the open cycles they fit, then one prepared "
        "statement that redeems the link and stores the ballot sealed for its cycle) against a "
        "bare Django view that inserts one row, both served by the same gunicorn "
        "(config/gunicorn.conf.py, worker recycling off for the run) on PostgreSQL, with "
        f"keep-alive clients on loopback, alternating in {args.rounds} rounds of the same run; "
        "then answers offered at 200 per second for 10 s, latency counted from each request's "
        "scheduled time. Goals: at least 50% of the bare view's throughput; p99 under 250 ms "
        f"at 200 per second. Machine: {machine()} (clients, gunicorn and PostgreSQL share its "
        "cores)."
    )
    header = (
        "| database | gunicorn | clients | bare view (one INSERT) | answer path | answer / bare "
        "| at 200 answers/s | command |"
    )
    replace_table_rows(SECTION, intro, header, row, key=f"| PostgreSQL | {sizing} | ")
    print(row)


if __name__ == "__main__":
    main()
