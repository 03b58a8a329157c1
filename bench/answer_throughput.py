"""The answer path people use, from outside, against a bare view that inserts one row.

Usage:
    .venv/bin/python bench/answer_throughput.py [--rounds 6] [--seconds 5] [--clients 16]
        [--fixed-rounds 3] [--profile-visits 200]

Needs PostgreSQL on 127.0.0.1:5432 (database `pulse_bench_answers`, or `--postgres-database`;
dropped and created again) and Redis (REDIS_URL, default 127.0.0.1:6379/14: link-guessing
counters). It launches a cycle for a synthetic organisation, mints one answer link per
invitation (stored as digests, as sending would) and starts gunicorn with
config/gunicorn.conf.py as shipped (its sizing, worker recycling and access log; the log goes
to /dev/null). Web workers get only the ballots' public key, as in production. Three paths,
served by the same gunicorn:

- **bare**: `POST /bench/bare`, a Django view that inserts one row with one INSERT;
- **visit**: what an employee's browser does: `GET /a/<token>/` (the answer page), then, on the
  same keep-alive connection, the form `POST /a/<token>/` (every radio button, eNPS and a
  comment, form-encoded) answered by the thank-you page;
- **api**: `POST /api/v1/pulse/{token}` with the same answers as JSON.

1. **Saturation**: `--clients` keep-alive connections send their next request as soon as the
   last is answered, for `--seconds` per path per round; the paths alternate in `--rounds`
   rounds (their order rotates), so a shared machine that speeds up or slows down weighs on all
   alike. Throughput, latency, and the CPU the gunicorn processes spent per request.
2. **Fixed rate**: 200 and 50 visits per second offered, the same for the API, and the bare
   view offered the 400 requests per second of 200 visits, alternating in `--fixed-rounds`
   rounds of 5 s each; latency counts from each request's scheduled time, so a server that
   falls behind shows it.
3. **Where a visit's time goes**: with gunicorn stopped, visits through Django's test client in
   this process (same settings, same database), timed whole, then with its parts clocked
   (bench/answer_profile.py).

Every request is bounded in number and time, and only ever goes to 127.0.0.1. A connection the
server closes (a recycled worker) is opened again and the request sent once more. Every
response is checked (status and page); the run fails rather than report refused answers, and
the ballots stored must match the answers accepted. Writes docs/benchmarks.md, "Answer
throughput".
"""

import argparse
import contextlib
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.answer_profile import profile_visits  # noqa: E402
from bench.answer_report import write_section  # noqa: E402
from bench.common import configure_django  # noqa: E402

POSTGRES_DATABASE = "pulse_bench_answers"
FIXED_SECONDS = 5
COMMENT = "We could say more about what went wrong in the release, and earlier."
BROWSER = {
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en-GB,en;q=0.5",
    "Accept-Encoding": "gzip, deflate, br",
    "X-Forwarded-Proto": "https",
}
PATHS = ("bare", "visit", "api")
CALLS = {"bare": 1, "visit": 2, "api": 1}
# (path, per second): the bare view offered the requests of 200 visits; 50 a second is the
# busiest hour foreseen for the largest employer (a fourfold burst makes 200).
FIXED_OFFERS = (("bare", 400), ("visit", 200), ("api", 200), ("visit", 50), ("api", 50))
WSGI_APPLICATION = "bench.bare_view_wsgi:application"


@dataclass(frozen=True)
class Call:
    """One HTTP request and what its answer must be."""

    method: str
    path: str
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    status: int = 200
    marker: bytes = b""


Job = tuple[Call, ...]  # a bare insert, one API answer, or a visit (GET, then POST)


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
        cursor.execute("VACUUM ANALYZE")  # autovacuum may be off on a shared server
    return tokens, list(cycle.items.values_list("key", flat=True))


def bare_job() -> Job:
    json_type = (("Content-Type", "application/json"), ("X-Forwarded-Proto", "https"))
    return (Call("POST", "/bench/bare", b'{"x": 1}', json_type, 201),)


def api_job(token: str, keys: list[str]) -> Job:
    body = json.dumps({"answers": {key: 5 for key in keys}, "enps": 8, "comment": COMMENT})
    headers = (("Content-Type", "application/json"), ("X-Forwarded-Proto", "https"))
    return (Call("POST", f"/api/v1/pulse/{token}", body.encode(), headers, 201, b"answers are in"),)


def visit_job(token: str, keys: list[str]) -> Job:
    """The page, then the form as a browser posts it (every question answered)."""
    fields = [(f"item_{key}", "5") for key in keys] + [("enps", "8"), ("comment", COMMENT)]
    form = (*BROWSER.items(), ("Content-Type", "application/x-www-form-urlencoded"))
    form += (("Origin", "null"),)  # what a browser sends from a no-referrer page
    page = f"/a/{token}/"
    return (
        Call("GET", page, headers=tuple(BROWSER.items()), marker=b"Send my answers"),
        Call("POST", page, urlencode(fields).encode(), form, 200, b"Your answers are in"),
    )


class Connection:
    """A keep-alive connection that opens again when the server has closed it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reopened = 0
        self.http = self.open()

    def open(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def call(self, call: Call) -> bool:
        for attempt in (1, 2):
            try:
                self.http.request(
                    call.method, call.path, body=call.body, headers=dict(call.headers)
                )
                response = self.http.getresponse()
                body = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.http.close()
                self.http = self.open()
                self.reopened += 1
                if attempt == 2:
                    raise
        if response.getheader("Content-Encoding") == "gzip":
            import gzip

            body = gzip.decompress(body)
        return response.status == call.status and call.marker in body


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)
    failed: int = 0
    reopened: int = 0
    seconds: float = 0.0
    cpu: float = 0.0  # seconds of gunicorn CPU

    @property
    def done(self) -> int:
        return len(self.latencies)


def drive(port: int, work: Iterator, clients: int, send: Callable, deadline: float) -> Run:
    """`clients` keep-alive connections take items of `work` until it runs out or `deadline`
    passes; `send(connection, item)` returns (all answers as expected, latency)."""
    run = Run()
    lock = threading.Lock()

    def client() -> None:
        connection = Connection(port)
        while time.perf_counter() < deadline:
            with lock:
                item = next(work, None)
            if item is None:
                break
            ok, latency = send(connection, item)
            with lock:
                run.latencies.append(latency)
                run.failed += not ok
        connection.http.close()
        with lock:
            run.reopened += connection.reopened

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return run


def saturate(port: int, jobs: Iterator[Job], clients: int, seconds: float, server: int) -> Run:
    def send(connection: Connection, job: Job) -> tuple[bool, float]:
        started = time.perf_counter()
        ok = all([connection.call(call) for call in job])
        return ok, time.perf_counter() - started

    cpu, started = server_cpu(server), time.perf_counter()
    run = drive(port, jobs, clients, send, started + seconds)
    run.seconds, run.cpu = time.perf_counter() - started, server_cpu(server) - cpu
    return run


def offer(port: int, jobs: Iterator[Job], rate: float, connections: int, server: int) -> Run:
    """Jobs on a schedule of `rate` per second for FIXED_SECONDS; latency from the slot."""
    start = time.perf_counter() + 0.3
    slots = ((start + index / rate, job) for index, job in enumerate(jobs))

    def send(connection: Connection, slot: tuple[float, Job]) -> tuple[bool, float]:
        due, job = slot
        time.sleep(max(0.0, due - time.perf_counter()))
        ok = all([connection.call(call) for call in job])
        return ok, time.perf_counter() - due

    cpu = server_cpu(server)
    run = drive(port, slots, connections, send, start + FIXED_SECONDS + 60)
    # Served per second: over the time it took, which is longer when the server fell behind.
    run.seconds, run.cpu = time.perf_counter() - start, server_cpu(server) - cpu
    return run


def server_cpu(master: int) -> float:
    """CPU seconds of the gunicorn master, its live workers and the workers it has reaped."""
    tick = os.sysconf("SC_CLK_TCK")

    def times(pid: int, children: bool) -> int:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return sum(int(value) for value in fields[11 : 15 if children else 13])

    total = times(master, children=True)
    for child in Path(f"/proc/{master}/task/{master}/children").read_text().split():
        with contextlib.suppress(FileNotFoundError):  # exited between the two reads
            total += times(int(child), children=False)
    return total / tick


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    tick = os.sysconf("SC_CLK_TCK")
    return (sum(values[:8]) - idle) / tick, sum(values[:8]) / tick


def start_gunicorn(port: int, env: dict) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", WSGI_APPLICATION],
        cwd=ROOT,
        env={**env, "PORT": str(port), "GUNICORN_BIND": f"127.0.0.1:{port}"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            time.sleep(2)  # every worker forked and listening
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def web_environment(url: str) -> dict:
    """The environment of a production web process: the ballots' public key only."""
    from django.conf import settings

    from pulse.sealing import private_key_from_secret, public_key_text

    environment = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings"}
    private = environment.pop("PULSE_BALLOT_KEY")
    environment["PULSE_BALLOT_PUBLIC_KEY"] = public_key_text(private_key_from_secret(private))
    assert private == settings.PULSE_BALLOT_KEY
    return environment


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000


def figures(runs: list[Run]) -> dict:
    ordered = sorted(latency for run in runs for latency in run.latencies)
    done, seconds = sum(run.done for run in runs), sum(run.seconds for run in runs)
    return {
        "rate": done / seconds,
        "p50": percentile(ordered, 0.50),
        "p99": percentile(ordered, 0.99),
        "cpu": 1000 * sum(run.cpu for run in runs) / done,
        "failed": sum(run.failed for run in runs),
        "reopened": sum(run.reopened for run in runs),
    }


def rotated(items: tuple, number: int) -> tuple:
    return items[number % len(items) :] + items[: number % len(items)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=5.0, help="per path per round")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--fixed-rounds", type=int, default=3)
    parser.add_argument("--profile-visits", type=int, default=200)
    parser.add_argument("--most-answers", type=int, default=500, help="a second, for sizing")
    parser.add_argument(
        "--postgres-database",
        default=POSTGRES_DATABASE,
        help="dropped and created again; its name must start with pulse_bench_",
    )
    args = parser.parse_args()
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1"
    os.environ["PULSE_SSL_REDIRECT"] = "0"
    load_before = os.getloadavg()
    # Every bench request comes from 127.0.0.1; all links are valid, so nothing is throttled.
    with tempfile.TemporaryDirectory(prefix="pulse-bench-") as scratch:
        url = configure_django("postgres", Path(scratch), args.postgres_database)
        # Links for the warm-up and the saturation rounds (visits and answers together at most
        # --most-answers a second), the fixed-rate rounds and the profile.
        needed = int((args.rounds + 1) * args.seconds * args.most_answers)
        needed += args.fixed_rounds * FIXED_SECONDS * sum(rate for _, rate in FIXED_OFFERS[1:])
        tokens, keys = prepare(needed + 2 * args.profile_visits + 100)
        profile_links = [tokens.pop() for _ in range(2 * args.profile_visits)]
        links = iter(tokens)

        def jobs(path: str, limit: int) -> Iterator[Job]:
            for _ in range(limit):
                if path == "bare":
                    yield bare_job()
                    continue
                token = next(links, None)
                if token is None:
                    raise SystemExit("Out of answer links: run again with a higher --most-answers")
                yield (visit_job if path == "visit" else api_job)(token, keys)

        port = free_port()
        gunicorn = start_gunicorn(port, web_environment(url))
        runs: dict[tuple[str, int], list[Run]] = {}  # (path, rate offered or 0) -> runs
        limit = int(args.seconds * args.most_answers)
        try:
            for path in PATHS:  # every worker warmed up on every path
                runs.setdefault(("warm-up", 0), []).append(
                    saturate(port, jobs(path, limit), args.clients, 1.0, gunicorn.pid)
                )
            busy_before, total_before = machine_busy()
            client_cpu_before = time.process_time()
            for number in range(args.rounds):
                for path in rotated(PATHS, number):
                    runs.setdefault((path, 0), []).append(
                        saturate(port, jobs(path, limit), args.clients, args.seconds, gunicorn.pid)
                    )
            busy_after, total_after = machine_busy()
            client_cpu = time.process_time() - client_cpu_before
            for number in range(args.fixed_rounds):
                for path, rate in rotated(FIXED_OFFERS, number):
                    offered = jobs(path, rate * FIXED_SECONDS)
                    runs.setdefault((path, rate), []).append(
                        offer(port, offered, rate, 64, gunicorn.pid)
                    )
        finally:
            gunicorn.terminate()
            gunicorn.wait(timeout=30)
        profile = profile_visits(profile_links, keys, visit_job, api_job)
        from pulse.models import PendingBallot

        stored = PendingBallot.objects.count() - 2 * profile["visits"]
    failed = {key: sum(run.failed for run in value) for key, value in runs.items()}
    assert not any(failed.values()), f"answers refused or pages wrong: {failed}"
    answering = [run for (path, _), value in runs.items() if path != "bare" for run in value]
    accepted = sum(run.done for run in answering) - runs[("warm-up", 0)][0].done
    assert stored == accepted, f"{stored} ballots stored for {accepted} answers accepted"
    elapsed = total_after - total_before
    load = {
        "before": load_before[0],
        "busy": (busy_after - busy_before) / elapsed,
        "gunicorn": sum(run.cpu for path in PATHS for run in runs[(path, 0)]) / elapsed,
        "client": client_cpu / elapsed,
        "accepted": accepted,
        "reopened": sum(run.reopened for value in runs.values() for run in value),
    }
    results = {key: figures(value) for key, value in runs.items()}
    command = (
        f".venv/bin/python bench/answer_throughput.py --rounds {args.rounds} "
        f"--seconds {args.seconds:g} --clients {args.clients} --fixed-rounds {args.fixed_rounds} "
        f"--profile-visits {args.profile_visits}"
    )
    setup = {**vars(args), "command": command, "comment": len(COMMENT), "offers": FIXED_OFFERS}
    write_section(setup | {"fixed_seconds": FIXED_SECONDS}, results, profile, load)


if __name__ == "__main__":
    main()
