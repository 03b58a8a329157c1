"""Release a large closed cycle, then time the manager dashboard over its results.

Usage:
    .venv/bin/python bench/release_and_dashboard.py [--people 100000] [--database sqlite|postgres]

Sets Django up itself in a fresh database (a scratch SQLite file, or `pulse_bench_release` on
127.0.0.1:5432, dropped and created again), builds the same synthetic organisation as
bench/launch_and_send.py, launches a monthly cycle, fills the response store directly with
synthetic answers from 75% of the people (bulk inserts: this measures the release, not the
answer path, which bench/answer_throughput.py would cover), closes the cycle and measures:

- **release**: `release_cycle()` (read every response, disclosure control for every measure,
  roll-ups, scores, comments, trend links), against a baseline in the same process: reading
  every response of the cycle once (`values_list`), which any release must do at least;
- **dashboard**: GET /dashboard/ for a department head's unit and for HR's top unit, 60 times
  each through Django's test client (full middleware stack, DEBUG off), p50/p95 and the SQL
  statements per request, against a baseline page in the same run (GET /anonymity/).

Writes the figures to docs/benchmarks.md, section "Release and dashboard".
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import configure_django, machine, replace_table_rows  # noqa: E402

if TYPE_CHECKING:  # Django is configured at run time, after these are needed by the checker
    from django.test import Client

    from surveys.models import Cycle

SECTION = "## Release and dashboard"
POSTGRES_DATABASE = "pulse_bench_release"
REQUESTS = 60
# Invitations read, and answers written, per round trip of fill_responses.
FILL_BATCH = 5000


def fill_responses(cycle: "Cycle", rng: random.Random, *, mark_answered: bool = False) -> int:
    """Synthetic answers from 75% of the invited, a fifth of them with a comment, written in
    batches (a million invitations are read a batch at a time, never held at once).
    `mark_answered` also marks those invitations answered, as the answer path would, so that
    the close counts participation as it would in production."""
    from pulse.models import Comment, Response
    from surveys.models import Invitation

    keys = list(cycle.items.values_list("key", flat=True))
    written, after = 0, 0
    while batch := list(
        Invitation.objects.filter(cycle=cycle, pk__gt=after)
        .order_by("pk")
        .values_list("pk", "reporting_unit_id")[:FILL_BATCH]
    ):
        after = batch[-1][0]
        responses, comments, answered = [], [], []
        for invitation_id, unit_id in batch:
            if rng.random() > 0.75:
                continue
            climate = 3 + (unit_id % 7) / 2
            answers = {key: min(7, max(1, round(rng.gauss(climate, 1.2)))) for key in keys}
            responses.append(
                Response(
                    cycle=cycle, reporting_unit_id=unit_id, answers=answers, enps=rng.randint(0, 10)
                )
            )
            answered.append(invitation_id)
            if rng.random() < 0.2:
                comments.append(
                    Comment(cycle=cycle, reporting_unit_id=unit_id, text="More focus time.")
                )
        Response.objects.bulk_create(responses, batch_size=2000)
        Comment.objects.bulk_create(comments, batch_size=2000)
        if mark_answered:
            Invitation.objects.filter(pk__in=answered).update(answered=True)
        written += len(responses)
    return written


def timed_requests(
    client: "Client", path: str, requests: int = REQUESTS
) -> tuple[float, float, int, int]:
    """(p50 ms, p95 ms, most SQL statements in one request, bytes of the page)."""
    from django.db import connection

    from bench.launch_and_send import QueryCounter

    durations, queries, sizes = [], [], []
    for _ in range(requests):
        counter = QueryCounter()
        started = time.perf_counter()
        with connection.execute_wrapper(counter):
            response = client.get(path, secure=True)
        durations.append(time.perf_counter() - started)
        queries.append(counter.total)
        sizes.append(len(response.content))
        assert response.status_code == 200, (path, response.status_code)
    durations.sort()
    p95 = durations[int(len(durations) * 0.95) - 1]
    return statistics.median(durations) * 1000, p95 * 1000, max(queries), max(sizes)


def run(people: int, requests: int = REQUESTS) -> dict:
    from django.contrib.auth.models import User
    from django.db import connection
    from django.db.models import F
    from django.test import Client
    from django.utils import timezone

    from bench.launch_and_send import QueryCounter, create_people, org_shape
    from pulse.models import Response
    from pulse.release import release_cycle
    from pulse.release_inputs import ballots_by_unit
    from surveys.closing import close_cycle
    from surveys.launch import launch_now
    from surveys.models import Cadence, CycleTeam
    from teams.hr_identity import say_outside_org_chart
    from teams.models import Person
    from teams.roles import ensure_hr_group
    from teams.team_tree import sync_teams

    shape = org_shape(people, seed=3)
    create_people(shape)
    sync_teams()
    cycle = launch_now(
        cadence=Cadence.objects.create(name="Monthly", kind="monthly"), now=timezone.now()
    )
    respondents = fill_responses(cycle, random.Random(5))
    # HR before the close: a survey's results are HR's to read only if it was HR then, and
    # named a person or nobody in the org chart (teams.hr_identity).
    hr = User.objects.create_user("hr@example.com", "hr@example.com", "x")
    hr.groups.add(ensure_hr_group())
    say_outside_org_chart(user=hr, actor=None)
    close_cycle(cycle_id=cycle.pk)

    started = time.perf_counter()
    rows = list(
        Response.objects.filter(cycle=cycle).values_list("reporting_unit_id", "answers", "enps")
    )
    baseline = time.perf_counter() - started
    assert len(rows) == respondents
    ballots = ballots_by_unit(cycle.pk)  # for the disclosure cost: the release deletes them
    counter = QueryCounter()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        assert release_cycle(cycle_id=cycle.pk)
    release_seconds = time.perf_counter() - started
    from bench.disclosure_cost import describe, hidden_shares

    print(f"bench org, {people:,} people: {describe(hidden_shares(cycle.pk, ballots))}")

    top = CycleTeam.objects.get(cycle=cycle, parent__isnull=True)
    department = CycleTeam.objects.filter(
        cycle=cycle, parent=top, reporting_unit_id=F("id")
    ).first()
    assert department is not None and department.manager is not None, "no department unit"
    head = department.manager
    head.user = User.objects.create_user("head@example.com", "head@example.com", "x")
    head.save()
    manager_client, hr_client, anyone = Client(), Client(), Client()
    manager_client.force_login(head.user)
    hr_client.force_login(hr)
    leaf = (
        CycleTeam.objects.filter(cycle=cycle, reporting_unit_id=F("id"), manager__isnull=False)
        .exclude(children__reporting_unit_id=F("children__id"))
        .order_by("-pk")
        .first()
    )
    assert leaf is not None and leaf.manager is not None, "no front-line unit"
    front_line = leaf.manager
    front_line.user = User.objects.create_user("line@example.com", "line@example.com", "x")
    front_line.save()
    line_client = Client()
    line_client.force_login(front_line.user)
    cycle_query = f"?cycle={cycle.pk}"
    base = timed_requests(anyone, "/anonymity/", requests)
    manager = timed_requests(
        manager_client, f"/dashboard/{cycle_query}&unit={department.pk}", requests
    )
    line = timed_requests(line_client, f"/dashboard/{cycle_query}&unit={leaf.pk}", requests)
    everyone = timed_requests(hr_client, f"/dashboard/{cycle_query}&unit={top.pk}", requests)
    heatmap = timed_requests(hr_client, f"/hr/heatmap/{cycle_query}", requests)
    return {
        "people": Person.objects.count(),
        "units": CycleTeam.objects.filter(cycle=cycle).count(),
        "respondents": respondents,
        "baseline": baseline,
        "release": release_seconds,
        "release_queries": counter.total,
        "base": base,
        "manager": manager,
        "line": line,
        "hr": everyone,
        "heatmap": heatmap,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--requests", type=int, default=REQUESTS, help="of each page")
    args = parser.parse_args()
    os.environ["ALLOWED_HOSTS"] = "testserver"
    with tempfile.TemporaryDirectory(prefix="pulse-bench-") as scratch:
        configure_django(args.database, Path(scratch), POSTGRES_DATABASE)
        figures = run(args.people, args.requests)
    command = (
        ".venv/bin/python bench/release_and_dashboard.py "
        f"--people {args.people} --database {args.database}"
        + (f" --requests {args.requests}" if args.requests != REQUESTS else "")
    )

    def page(figure: tuple[float, float, int, int]) -> str:
        p50, p95, queries, size = figure
        return f"{p50:.0f} / {p95:.0f} ms, {queries} queries, {size / 1000:,.0f} KB"

    row = (
        f"| {args.database} | {figures['people']:,} | {figures['units']:,} "
        f"| {figures['respondents']:,} | {figures['release']:.1f} s "
        f"({figures['release'] / figures['baseline']:.1f}x reading the responses; "
        f"{figures['release_queries']} queries) "
        f"| {page(figures['line'])} | {page(figures['manager'])} | {page(figures['hr'])} "
        f"| {page(figures['heatmap'])} | {page(figures['base'])} | `{command}` |"
    )
    intro = (
        "`release_cycle()` on a closed cycle whose response store was filled directly with "
        "synthetic answers from 75% of a synthetic organisation (the shape of "
        "bench/launch_and_send.py), against reading every response once in the same process. "
        f"Then each page {REQUESTS} times (or `--requests`) through Django's test client with "
        "DEBUG off (median / p95, SQL statements per request, bytes of the page): GET "
        "/dashboard/ for a front-line manager's unit (a unit with no unit below it), a "
        "department head's unit and HR's top unit, and HR's heatmap (/hr/heatmap/, its first "
        "page), against a static page (/anonymity/) in the same run. Goals: release within "
        "30 s at 100,000 people; dashboard p95 under 300 ms; a query count and a page size "
        f"that do not grow with the organisation. Machine: {machine()}."
    )
    header = (
        "| database | people | snapshot teams | respondents | release | front-line manager "
        "| department head | HR top unit | HR heatmap | baseline page | command |"
    )
    replace_table_rows(
        SECTION, intro, header, row, key=f"| {args.database} | {figures['people']:,} "
    )
    print(row)


if __name__ == "__main__":
    main()
