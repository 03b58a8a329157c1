"""How Pulse grows with the organisation: the whole path from org import to the dashboards,
at several sizes, in a growth table.

Usage:
    .venv/bin/python bench/growth.py [--people 10000,100000,1000000]
        [--database postgres|sqlite] [--requests 30] [--no-docs]

For each size, in a fresh database (PostgreSQL `pulse_bench_growth` on 127.0.0.1:5432,
dropped and created again, or a scratch SQLite file), with the organisation shape of
bench/launch_and_send.py:

1. the org CSV read by the csv module alone (the import's baseline), then imported through
   the product's import service (parse, validate, people, teams);
2. a monthly cycle launched ("launch now"), answers from 75% filled in bulk (bench set-up, not
   the answer path), the cycle closed, and released by one pulse pass of the scheduler;
3. 1% of the people changed (moved or renamed) by a second import, a second cycle launched,
   answered, closed and released (this release compares with the first: trends);
4. through gunicorn (config/gunicorn.conf.py, a fresh server per page): the dashboard of a
   front-line manager, a department head and HR's top unit, and HR's heatmap, `--requests`
   times each after a warm-up, against a static page (/anonymity/) through the same server.

Each step runs in a fresh process of its own (bench/growth_steps.py): wall time, that
process's peak RSS, and its SQL statements. On PostgreSQL, `VACUUM (ANALYZE)` runs between
steps, untimed: the shared server here has autovacuum off, and production would not.

Before it starts, the run prints how long each size should take, from the table already in
docs/benchmarks.md (section "Growth from 10k to 1M"), which a run then replaces.
"""

import argparse
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import growth_table  # noqa: E402
from bench.common import DOCS, configure_django, machine, replace_section  # noqa: E402
from bench.growth_org import changed_people, org_lines, write_org_csv  # noqa: E402
from bench.growth_pages import measure_page  # noqa: E402
from bench.growth_steps import run_step  # noqa: E402
from bench.growth_table import Cell, page_cell, step_cell  # noqa: E402

if TYPE_CHECKING:  # Django is set up at run time
    from django.contrib.auth.models import User

    from bench.growth_pages import Page

POSTGRES_DATABASE = "pulse_bench_growth"
REQUESTS = 30


def measured(step: str, **kwargs: object) -> tuple[Cell, dict]:
    result = run_step(step, **kwargs)
    vacuum()
    return step_cell(result.seconds, result.peak_mib, result.queries), result.facts


def vacuum() -> None:
    """What autovacuum would have done by now (untimed)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    connection.close()


def fresh_database(database: str, scratch: Path) -> None:
    """Empty the bench database again for the next size (same name, same settings)."""
    from django.core.management import call_command
    from django.db import connections

    from bench.common import postgres_server, recreate_postgres_database

    connections.close_all()
    if database == "postgres":
        recreate_postgres_database(postgres_server(), POSTGRES_DATABASE)
    else:
        (scratch / "bench.sqlite3").unlink()
    call_command("migrate", verbosity=0)


def run_cycle(
    cells: dict[str, Cell], label: str, cadence_id: int, opens: str, closes: str, seed: int
) -> dict:
    """Launch, answer, close and release one cycle; the facts of its launch and release."""
    cells[f"launch, {label}"], launched = measured("launch", cadence_id=cadence_id, now=opens)
    cycle_id = launched["cycle"]
    cells[f"fill answers, {label} (bench set-up)"], filled = measured(
        "fill_answers", cycle_id=cycle_id, seed=seed
    )
    cells[f"close, {label}"], _ = measured("close", cycle_id=cycle_id, now=closes)
    release_label = f"release, {label}" + (" (with trends)" if label == "second cycle" else "")
    cells[release_label], released = measured("release_by_scheduler", cycle_id=cycle_id)
    return {**launched, **filled, **released}


def run_size(people: int, scratch: Path, requests: int) -> tuple[dict[str, Cell], str]:
    """Every step at one size, in the database as it is: people → step → cell, and a line
    describing the organisation and the cycles."""
    from django.contrib.auth.models import User
    from django.utils import timezone

    from bench.launch_and_send import org_shape
    from surveys.models import Cadence
    from teams.hr_identity import say_outside_org_chart
    from teams.roles import ensure_hr_group

    started = time.perf_counter()
    shape = org_shape(people, seed=3)
    first_file, second_file = scratch / "org.csv", scratch / "org-changed.csv"
    write_org_csv(first_file, org_lines(shape))
    write_org_csv(second_file, org_lines(shape, changed=changed_people(people)))
    del shape
    cells: dict[str, Cell] = {}
    baseline = run_step("read_with_csv_module", path=str(first_file))
    cells["read the org CSV with the csv module (baseline)"] = step_cell(
        baseline.seconds, baseline.peak_mib, baseline.queries
    )
    imported = run_step("import_org_file", path=str(first_file))
    cells["import the org CSV"] = step_cell(
        imported.seconds,
        imported.peak_mib,
        imported.queries,
        f" ({imported.seconds / baseline.seconds:.0f}x the csv module)",
    )
    vacuum()
    # HR before the closes: a survey's results are HR's to read only if it was HR then, and
    # named a person or nobody in the org chart (teams.hr_identity).
    hr = User.objects.create_user("hr@example.com", "hr@example.com", "x")
    hr.groups.add(ensure_hr_group())
    say_outside_org_chart(user=hr, actor=None)
    cadence = Cadence.objects.create(name="Monthly", kind="monthly")
    now = timezone.now()
    # The first cycle in an earlier month (a monthly cadence has one cycle a month).
    first_opens = now - timedelta(days=40)
    first = run_cycle(
        cells,
        "first cycle",
        cadence.pk,
        first_opens.isoformat(),
        (first_opens + timedelta(days=3)).isoformat(),
        seed=5,
    )
    cells["re-import with 1% of the people changed"], reimported = measured(
        "import_org_file", path=str(second_file)
    )
    second = run_cycle(
        cells, "second cycle", cadence.pk, now.isoformat(), timezone.now().isoformat(), seed=6
    )
    for label, page in dashboard_pages(second["cycle"], hr).items():
        try:
            result = measure_page(page, requests, scratch)
        except (OSError, RuntimeError) as error:
            # A page that fails (a worker timeout, say) is a finding for the table, not the
            # end of a long run; gunicorn's log is in the scratch folder.
            print(f"  {label} failed: {error}", flush=True)
            cells[label] = Cell(0.0, f"failed: {str(error)[:80]}")
            continue
        cells[label] = page_cell(
            result.p50_ms, result.p95_ms, result.kilobytes, result.peak_mib, result.queries
        )
    whole = time.perf_counter() - started
    cells[growth_table.TOTAL] = Cell(whole, f"{whole:.1f} s")
    facts = (
        f"{people:,} people: {imported.facts['teams']:,} teams; {first['units']:,} snapshot "
        f"teams; {first['respondents']:,} / {second['respondents']:,} respondents; "
        f"{first['published']:,} / {second['published']:,} units published; "
        f"{reimported['updated']:,} people updated by the re-import"
    )
    return cells, facts


def dashboard_pages(cycle_id: int, hr: "User") -> dict[str, "Page"]:
    """The viewers of bench/release_and_dashboard.py (a department head, a front-line
    manager, HR) on the second cycle, given logins, and their pages."""
    from django.contrib.auth.models import User
    from django.db.models import F

    from bench.growth_pages import Page
    from surveys.models import CycleTeam

    top = CycleTeam.objects.get(cycle_id=cycle_id, parent__isnull=True)
    department = CycleTeam.objects.filter(
        cycle_id=cycle_id, parent=top, reporting_unit_id=F("id"), manager__isnull=False
    ).first()
    leaf = (
        CycleTeam.objects.filter(
            cycle_id=cycle_id, reporting_unit_id=F("id"), manager__isnull=False
        )
        .exclude(children__reporting_unit_id=F("children__id"))
        .order_by("-pk")
        .first()
    )
    assert department is not None and leaf is not None, "no department or front-line unit"
    viewers = {}
    for role, unit in (("head", department), ("line", leaf)):
        person = unit.manager
        assert person is not None
        # A database measured again (bench/growth_pages_again.py) has the logins already.
        login = User.objects.filter(username=f"{role}@example.com").first()
        person.user = login or User.objects.create_user(
            f"{role}@example.com", f"{role}@example.com", "x"
        )
        person.save()
        viewers[role] = person.user
    query = f"?cycle={cycle_id}"
    return {
        "static page (/anonymity/, the pages' baseline)": Page("static", "/anonymity/", None),
        "dashboard: front-line manager": Page(
            "line", f"/dashboard/{query}&unit={leaf.pk}", viewers["line"]
        ),
        "dashboard: department head": Page(
            "head", f"/dashboard/{query}&unit={department.pk}", viewers["head"]
        ),
        "dashboard: HR top unit": Page("hr", f"/dashboard/{query}&unit={top.pk}", hr),
        "HR heatmap": Page("heatmap", f"/hr/heatmap/{query}", hr),
    }


def print_estimates(sizes: list[int], database: str) -> None:
    section = DOCS.read_text().split(growth_table.SECTION)[-1].split("\n## ")[0]
    # Only a table measured on the same database says how long this run will take.
    known = growth_table.totals_in(section) if f"--database {database}" in section else {}
    estimates = {people: growth_table.estimate_seconds(known, people) for people in sizes}
    for people, seconds in estimates.items():
        guess = "unknown" if seconds is None else f"about {seconds / 60:.0f} min"
        print(f"{people:,} people: {guess}")
    unknown = [f"{people:,}" for people, seconds in estimates.items() if seconds is None]
    total = sum(seconds for seconds in estimates.values() if seconds is not None)
    source = "from the growth table in docs/benchmarks.md measured on this database"
    if len(unknown) == len(sizes):
        print(
            "Estimated run time: unknown (no smaller size in the growth table in "
            "docs/benchmarks.md measured on this database)",
            flush=True,
        )
        return
    rest = f", plus {', '.join(unknown)} people (no estimate)" if unknown else ""
    print(f"Estimated run time: about {total / 60:.0f} min{rest} ({source})", flush=True)


def next_size_estimate(figures: dict[int, dict[str, Cell]]) -> str:
    """What a run at ten times the largest size should take (printed up front then, too)."""
    totals = {people: cells[growth_table.TOTAL].seconds for people, cells in figures.items()}
    people = max(totals) * 10
    seconds = growth_table.estimate_seconds(totals, people)
    assert seconds is not None
    return (
        f"A run at {people:,} people should take about {seconds / 60:.0f} min for that size "
        "alone: the whole size's time extrapolated at the growth between the two largest "
        "sizes here, never below linear."
    )


def write_docs(
    figures: dict[int, dict[str, Cell]], facts: list[str], command: str, load: str
) -> None:
    body = f"""
The path a large organisation takes each month, at several sizes, through the product's own
entry points: the org import service (against the csv module reading the same file, in the
same run), "launch now", the close, the release as one pulse pass of the scheduler runs it
(results emails to a dummy backend), a second import with 1% of the people moved or renamed,
and a second cycle whose release compares with the first. Answers are filled in bulk (75% of
the people, bench set-up, not the answer path). Each step runs in a fresh process: its wall
time, the peak RSS of that process (VmHWM, Django included) and its SQL statements. Pages go through
gunicorn with config/gunicorn.conf.py (2 workers, a fresh server per page, a warm-up of 3,
then the requests one at a time): median / p95 and the page's size, the serving worker's peak
RSS, and the SQL statements of one request counted through Django's test client. Growth
compares the two largest sizes (linear is the ratio of their sizes); for pages it is the p95's.

Command: `{command}`. Machine: {machine()}; load average {load} (1 minute, before / after).
{"; ".join(facts)}.

{growth_table.growth_table(figures)}

{next_size_estimate(figures)}
"""
    replace_section(growth_table.SECTION, body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", default="10000,100000,1000000")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--requests", type=int, default=REQUESTS, help="of each page")
    parser.add_argument("--no-docs", action="store_true", help="do not update the docs")
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.people.split(","))
    print_estimates(sizes, args.database)
    os.environ.update(
        ALLOWED_HOSTS="127.0.0.1,testserver",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        # The org file of a million people is about 58 MB, past the default limit of 50 MB:
        # an operator of an organisation that large raises it, as the refusal says.
        PULSE_ORG_FILE_MAX_BYTES=str(1024 * 1024 * 1024),
    )
    load_before = os.getloadavg()[0]
    figures: dict[int, dict[str, Cell]] = {}
    facts: list[str] = []
    with tempfile.TemporaryDirectory(prefix="pulse-bench-") as scratch_dir:
        scratch = Path(scratch_dir)
        configure_django(args.database, scratch, POSTGRES_DATABASE)
        for number, people in enumerate(sizes):
            if number:
                fresh_database(args.database, scratch)
            print(f"{people:,} people", flush=True)
            figures[people], size_facts = run_size(people, scratch, args.requests)
            facts.append(size_facts)
            print(size_facts, flush=True)
    table = growth_table.growth_table(figures)
    print(table)
    if not args.no_docs:
        command = (
            f".venv/bin/python bench/growth.py --people {args.people} "
            f"--database {args.database} --requests {args.requests}"
        )
        write_docs(figures, facts, command, f"{load_before:.1f} / {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
