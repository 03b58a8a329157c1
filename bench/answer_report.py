"""The "Answer throughput" section of docs/benchmarks.md, from bench/answer_throughput.py's
figures: what was measured, how, on what machine under what load, and the profile."""

import os
import runpy
from types import SimpleNamespace

from bench.answer_profile import profile_table
from bench.common import ROOT, machine, replace_section

SECTION = "## Answer throughput"
PATHS = ("bare", "visit", "api")
CALLS = {"bare": 1, "visit": 2, "api": 1}
UNITS = {"bare": "requests", "visit": "visits", "api": "answers"}
LABELS = {
    "bare": "bare view (one INSERT)",
    "visit": "visit: GET /a/&lt;token&gt;/ + form POST",
    "api": "JSON API: POST /api/v1/pulse/{token}",
}


def write_section(setup: dict, results: dict, profile: dict, load: dict) -> None:
    args = SimpleNamespace(**setup)
    bare = results[("bare", 0)]["rate"]
    saturation = []
    for path in PATHS:
        m = results[(path, 0)]
        saturation.append(
            f"| {LABELS[path]} | {m['rate']:.0f} {UNITS[path]}/s | {m['rate'] / bare:.0%} "
            f"({CALLS[path] * m['rate'] / bare:.0%}) | {m['p50']:.0f} / {m['p99']:.0f} ms "
            f"| {m['cpu']:.1f} ms |"
        )
    fixed = []
    for path, rate in args.offers:
        m = results[(path, rate)]
        fixed.append(
            f"| {LABELS[path]} | {rate} {UNITS[path]}/s | {m['rate']:.0f}/s "
            f"| {m['p50']:.0f} / {m['p99']:.0f} ms | {m['cpu']:.1f} ms |"
        )
    print("\n".join(saturation + fixed))
    shipped = runpy.run_path(str(ROOT / "config" / "gunicorn.conf.py"))
    body = f"""
Command: `{args.command}` (PostgreSQL 127.0.0.1, database `{args.postgres_database}`, DEBUG off).

One gunicorn, started with `config/gunicorn.conf.py` as shipped ({shipped["workers"]} workers x
{shipped["threads"]} threads, workers recycled after {shipped["max_requests"]} requests or so,
access log on and sent to /dev/null; web workers hold only the ballots' public key), serves:

- **bare view**: `POST /bench/bare`, a Django view behind the full middleware stack that
  inserts one row with one INSERT: the floor any answer path stands on;
- **visit**: what an employee's browser does: `GET /a/<token>/` (the answer page,
  {len(profile["keys"])} questions), then on the same keep-alive connection the form
  `POST /a/<token>/` (every radio button, eNPS, a {args.comment}-character comment) answered by
  the thank-you page; the page's stylesheet (static, cacheable) is not fetched;
- **JSON API**: `POST /api/v1/pulse/{{token}}` with the same answers.

Every response is checked (status and page text); the run stops if any is refused, and the
sealed ballots stored must equal the answers accepted ({load["accepted"]:,} here).

**Saturation**: {args.clients} keep-alive clients on loopback, each sending its next request
as soon as the last is answered, {args.seconds:g} s per path per round, the three paths
alternating in {args.rounds} rounds (order rotated each round). "vs bare" is visits (answers)
per second over the bare view's requests per second; in brackets, requests per second over
the same (a visit is two). Latency is per visit (GET + POST), answer or request. Server CPU:
what the gunicorn processes spent per visit, answer or request (from /proc; PostgreSQL's and
Redis's CPU is not in it). {load["reopened"]} connections were re-opened after a worker
recycled.

| path | throughput | vs bare | p50 / p99 | server CPU |
| --- | --- | --- | --- | --- |
{chr(10).join(saturation)}

**At a fixed rate**: each path offered on a schedule for {args.fixed_seconds} s, alternating in
{args.fixed_rounds} rounds, over 64 connections; latency counts from each visit's scheduled
time to the end of its last response, so a server that falls behind shows it. Goal: p99 at
most 250 ms at 200 visits a second. The bare view is offered the requests of 200 visits.

| path | offered | served | p50 / p99 | server CPU |
| --- | --- | --- | --- | --- |
{chr(10).join(fixed)}

At the gunicorn CPU measured per visit in the saturation rounds, 200 visits a second keep
{0.2 * results[("visit", 0)]["cpu"]:.1f} cores busy in gunicorn alone, and 50 a second
{0.05 * results[("visit", 0)]["cpu"]:.1f}; this machine has {os.cpu_count()}, shared with
PostgreSQL and the clients.

Machine: {machine()}; clients, gunicorn, PostgreSQL and Redis share its cores, and the
machine is shared with other work (tests run on it at the same time): the load average was
{load["before"]:.1f} just before the run started; during the saturation rounds its CPUs were
{load["busy"]:.0%} busy, gunicorn {load["gunicorn"]:.0%} of them and the benchmark's clients
{load["client"]:.0%}, the rest PostgreSQL, Redis and whatever else ran.

**Where a visit's time goes**, measured in-process: {profile["visits"]} visits and as many JSON
answers through Django's test client in the benchmark's process after gunicorn stopped (same
settings and database); wall time per request, and CPU time of the process, which leaves out
PostgreSQL's and Redis's side.

{profile_table(profile)}
"""
    replace_section(SECTION, body)
