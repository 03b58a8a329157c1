"""Launch and org import against a bare COPY of the same rows, in one run, step by step.

Usage:
    .venv/bin/python bench/launch_growth.py [--people 100000] [--database postgres|sqlite]
        [--rounds 2] [--postgres-name pulse_bench_launch]

Sets Django up itself (production-like settings: DEBUG off) in a fresh database: the
PostgreSQL database `pulse_bench_launch` (or `--postgres-name`) on 127.0.0.1:5432 (dropped
and created again; PULSE_BENCH_POSTGRES_SERVER points at another server), or a scratch SQLite
file. It writes a CSV org chart of `--people` people with realistic reporting lines
(bench.launch_and_send's org shape; every 50th leader's team named in the file), then
alternates, in `--rounds` rounds whose order swaps each round:

- import: `parse_csv` + `import_org` of the file into an empty org (people and teams created);
- its baseline: a bare COPY of the people rows that import wrote (dumped once, untimed), into
  the same, empty, table: the same indexes, constraints and foreign keys;
- launch: `launch_now()` of a monthly cadence over that org (items, snapshot with reporting
  units and shown focus, every invitation, the audit event);
- its baseline: a bare COPY of the cycle's item, snapshot and invitation rows that a launch
  wrote (dumped once), into the same, emptied, tables, in one transaction.

On PostgreSQL the baseline is `COPY ... FROM STDIN` of the rows in COPY's text format; on
SQLite one `executemany` INSERT per table. Each timed step runs in a fresh child process, so
its peak RSS (Linux's VmHWM) is the step's own; the process's RSS after Django's
set-up is reported beside it. Tables are emptied between steps, untimed. Statements are
counted by an execute wrapper, which sees every statement Django sends, plus each COPY
(which streams through psycopg's cursor, past the wrapper).

The figures go to docs/benchmarks.md, section "Launch and import against a bare COPY".
"""

import argparse
import csv
import io
import multiprocessing
import os
import pickle
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import configure_django, machine, replace_table_rows  # noqa: E402
from bench.launch_and_send import OrgShape, QueryCounter, org_shape  # noqa: E402

SECTION = "## Launch and import against a bare COPY"
POSTGRES_DATABASE = "pulse_bench_launch"
PEOPLE_TABLES = ["teams_person"]
LAUNCH_TABLES = ["surveys_cycleitem", "surveys_cycleteam", "surveys_invitation"]
COPY_CHUNK = 1 << 20


def org_csv(shape: OrgShape) -> bytes:
    """The org chart as HR would upload it: employee_id, email, name, manager_id, team."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["employee_id", "email", "name", "manager_id", "team"])
    for index, manager in enumerate(shape.managers):
        writer.writerow(
            [
                f"E{index:07d}",
                f"person{index}@example.com",
                f"Person {index}",
                "" if manager is None else f"E{manager:07d}",
                f"Team {index}" if index % 50 == 0 else "",
            ]
        )
    return buffer.getvalue().encode()


# --- Dumping and restoring rows, untimed or as the bare baseline ----------------------------


def dump_tables(tables: list[str], folder: Path, where: str = "") -> None:
    """Each table's rows, as the database gives them, into `folder/<table>`."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in tables:
            path = folder / table
            if connection.vendor == "postgresql":
                query = f"COPY (SELECT * FROM {table} {where} ORDER BY id) TO STDOUT"  # noqa: S608
                with path.open("wb") as out, cursor.copy(query) as copy:
                    for block in copy:
                        out.write(block)
            else:
                cursor.execute(f"SELECT * FROM {table} {where} ORDER BY id")  # noqa: S608
                columns = [column[0] for column in cursor.description]
                path.write_bytes(pickle.dumps((columns, cursor.fetchall())))


def restore_tables(tables: list[str], folder: Path) -> int:
    """A bare write of the dumped rows, in one transaction: COPY FROM STDIN on PostgreSQL, one
    executemany INSERT per table elsewhere. Returns the COPY statements sent (which Django's
    execute wrapper does not see)."""
    from django.db import connection, transaction

    statements = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for table in tables:
            path = folder / table
            if connection.vendor == "postgresql":
                statements += 1
                with path.open("rb") as source, cursor.copy(f"COPY {table} FROM STDIN") as copy:
                    while block := source.read(COPY_CHUNK):
                        copy.write(block)
            else:
                # The bench's own dump, written above in this run.
                columns, rows = pickle.loads(path.read_bytes())  # noqa: S301
                names = ", ".join(f'"{column}"' for column in columns)
                marks = ", ".join(["%s"] * len(columns))
                insert = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
                cursor.executemany(insert, rows)
    return statements


def empty_tables(models: list[Any]) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    tables = [model._meta.db_table for model in models]
    connection.ops.execute_sql_flush(
        connection.ops.sql_flush(no_style(), tables, allow_cascade=True)
    )


def empty_cycles() -> None:
    from surveys.models import Cycle, CycleItem, CycleTeam, Invitation

    empty_tables([Invitation, CycleTeam, CycleItem, Cycle])


def empty_org() -> None:
    from teams.models import Person, Team

    empty_cycles()
    empty_tables([Team, Person])


# --- One step in a child process of its own ---------------------------------------------------


def child(step: str, payload: dict[str, Any], replies: Any) -> None:
    import django

    django.setup()
    from django.db import connection

    import common.bulk_rows

    rss_after_setup = peak_rss_kib()
    counter = QueryCounter()
    copy_rows = common.bulk_rows.copy_rows
    copies = 0

    def counted_copy(table: str, column_list: str, rows: Iterable[tuple[Any, ...]]) -> int:
        nonlocal copies
        copies += 1
        return copy_rows(table, column_list, rows)

    # A COPY streams through psycopg's cursor, past the execute wrapper: counted here.
    common.bulk_rows.copy_rows = counted_copy
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        streamed = STEPS[step](payload)  # before the sum: the step counts into `copies`
    copies += streamed
    seconds = time.perf_counter() - started
    peak = peak_rss_kib()
    replies.put(
        {
            "seconds": seconds,
            "peak_mb": peak / 1024,
            "setup_mb": rss_after_setup / 1024,
            "queries": counter.total + copies,
            "verbs": counter.summary() + (f", COPY {copies}" if copies else ""),
        }
    )


def peak_rss_kib() -> int:
    """This process's peak RSS. Linux's VmHWM starts afresh when the process runs Python; the
    rusage maximum would still carry the parent's, which the spawn forked from."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def import_step(payload: dict[str, Any]) -> int:
    from teams.org_csv import parse_csv
    from teams.services import import_org

    summary = import_org(rows=parse_csv(Path(payload["csv"]).read_bytes()))
    assert summary.created == payload["people"], summary
    return 0


def launch_step(payload: dict[str, Any]) -> int:
    from django.utils import timezone

    from surveys.launch import launch_now
    from surveys.models import Cadence

    cycle = launch_now(cadence=Cadence.objects.get(pk=payload["cadence"]), now=timezone.now())
    assert cycle.invited_count == payload["people"], cycle.invited_count
    return 0


def restore_step(payload: dict[str, Any]) -> int:
    return restore_tables(payload["tables"], Path(payload["folder"]))


STEPS = {"import": import_step, "launch": launch_step, "restore": restore_step}


def in_child(step: str, payload: dict[str, Any]) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    replies = context.Queue()
    process = context.Process(target=child, args=(step, payload, replies))
    process.start()
    figures = replies.get()
    process.join()
    if process.exitcode:
        raise SystemExit(f"{step} failed in its process (exit code {process.exitcode})")
    return figures


# --- The run ----------------------------------------------------------------------------------


def run(people: int, rounds: int, scratch: Path) -> dict[str, list[dict[str, Any]]]:
    from surveys.models import Cadence, Cycle

    shape = org_shape(people, seed=3)
    csv_path = scratch / "org.csv"
    csv_path.write_bytes(org_csv(shape))
    print(f"{people:,} people, {shape.teams:,} teams, {shape.depth} levels", flush=True)
    dumps = scratch / "dumps"
    dumps.mkdir()
    measured: dict[str, list[dict[str, Any]]] = {
        name: [] for name in ("import", "import_copy", "launch", "launch_copy")
    }
    import_payload = {"csv": str(csv_path), "people": people}
    people_copy = {"tables": PEOPLE_TABLES, "folder": str(dumps)}

    # One import, untimed, gives the people rows the import baseline copies.
    empty_org()
    in_child("import", import_payload)
    dump_tables(PEOPLE_TABLES, dumps)
    for number in range(rounds):
        order = ["import", "import_copy"] if number % 2 == 0 else ["import_copy", "import"]
        for kind in order:
            empty_org()
            if kind == "import":
                measured[kind].append(in_child("import", import_payload))
            else:
                measured[kind].append(in_child("restore", people_copy))
        report(number, order, measured)

    # The org as the import leaves it, for the launches.
    empty_org()
    in_child("import", import_payload)
    cadence = Cadence.objects.create(name="Monthly pulse", kind="monthly")
    launch_payload = {"cadence": cadence.pk, "people": people}
    in_child("launch", launch_payload)
    cycle_id = Cycle.objects.get().pk
    dump_tables(["surveys_cycle"], dumps)
    dump_tables(LAUNCH_TABLES, dumps, where=f"WHERE cycle_id = {cycle_id}")
    launch_copy = {"tables": LAUNCH_TABLES, "folder": str(dumps)}
    for number in range(rounds):
        order = ["launch", "launch_copy"] if number % 2 == 0 else ["launch_copy", "launch"]
        for kind in order:
            empty_cycles()
            if kind == "launch":
                measured[kind].append(in_child("launch", launch_payload))
            else:
                restore_tables(["surveys_cycle"], dumps)  # the cycle row itself, untimed
                measured[kind].append(in_child("restore", launch_copy))
        report(number, order, measured)
    empty_org()
    return measured


def report(number: int, order: list[str], measured: dict[str, list[dict[str, Any]]]) -> None:
    print(
        f"round {number + 1}: "
        + ", ".join(
            f"{kind} {measured[kind][-1]['seconds']:.1f} s "
            f"(peak {measured[kind][-1]['peak_mb']:.0f} MB; {measured[kind][-1]['verbs']})"
            for kind in order
        ),
        flush=True,
    )


def summary(measured: dict[str, list[dict[str, Any]]], step: str, people: int) -> str:
    """Median time, per-person time, ratio to the same rounds' baseline, peak RSS, queries."""
    runs, copies = measured[step], measured[f"{step}_copy"]
    seconds = statistics.median(figures["seconds"] for figures in runs)
    ratios = [mine["seconds"] / bare["seconds"] for mine, bare in zip(runs, copies, strict=True)]
    each = ", ".join(f"{ratio:.1f}" for ratio in ratios)
    peak = max(figures["peak_mb"] for figures in runs)
    setup = max(figures["setup_mb"] for figures in runs)
    return (
        f"{seconds:.1f} s ({seconds / people * 1e6:.0f} µs/person; "
        f"{statistics.median(ratios):.1f}x the COPY; rounds {each}); "
        f"peak {peak:.0f} MB (after set-up {setup:.0f} MB); {int(runs[-1]['queries'])} statements"
    )


def copy_summary(measured: dict[str, list[dict[str, Any]]], step: str) -> str:
    copies = measured[f"{step}_copy"]
    seconds = statistics.median(figures["seconds"] for figures in copies)
    peak = max(figures["peak_mb"] for figures in copies)
    return f"{seconds:.1f} s; peak {peak:.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--postgres-name",
        default=POSTGRES_DATABASE,
        help="the PostgreSQL database to drop and create (its name starts with pulse_bench_)",
    )
    args = parser.parse_args()
    # A million people make a file above the default upload limit (50 MB); the limit guards
    # uploads, not what is measured here.
    os.environ.setdefault("PULSE_ORG_FILE_MAX_BYTES", str(256 * 2**20))
    with tempfile.TemporaryDirectory(prefix="pulse-bench-") as scratch:
        configure_django(args.database, Path(scratch), args.postgres_name)
        load_before = os.getloadavg()[0]
        measured = run(args.people, args.rounds, Path(scratch))
    load = f"{load_before:.1f} / {os.getloadavg()[0]:.1f}"
    command = (
        f".venv/bin/python bench/launch_growth.py --people {args.people} "
        f"--database {args.database} --rounds {args.rounds}"
        + (
            f" --postgres-name {args.postgres_name}"
            if args.postgres_name != POSTGRES_DATABASE
            else ""
        )
    )
    row = (
        f"| {args.database} | {args.people:,} | {args.rounds} "
        f"| {copy_summary(measured, 'import')} | {summary(measured, 'import', args.people)} "
        f"| {copy_summary(measured, 'launch')} | {summary(measured, 'launch', args.people)} "
        f"| {load} | `{command}` |"
    )
    intro = (
        "Each step in a fresh process of its own, against a bare write of the same rows into "
        "the same tables (same indexes, constraints and foreign keys) in the same run: "
        "`COPY ... FROM STDIN` on PostgreSQL, one `executemany` INSERT per table on SQLite. "
        "Import is `parse_csv` + `import_org` of a CSV org chart into an empty org; its "
        "baseline copies the people rows that import wrote. Launch is `launch_now()` (items, "
        "snapshot with reporting units and shown focus, invitations, audit event); its baseline "
        "copies that launch's item, snapshot and invitation rows, in one transaction. Steps "
        "and baselines alternate (the order swaps each round); times are medians, ratios each "
        "round's step over the same round's baseline; peak is the step process's maximum RSS "
        "(after Django's set-up, before the step, in brackets); statements include each COPY. "
        "Import and launch write new people, teams, snapshot rows and invitations as plain "
        "rows (COPY on PostgreSQL, executemany on SQLite) with ids taken from the table's "
        "sequence first, so each row goes in complete: no model instance per person, no "
        "second pass of updates. Load is the 1-minute load average before and after (the "
        f"machine is shared with other work). Machine: {machine()}."
    )
    header = (
        "| database | people | rounds | people COPY | import | invitation + snapshot COPY "
        "| launch | load (before / after) | command |"
    )
    replace_table_rows(SECTION, intro, header, row, key=f"| {args.database} | {args.people:,} ")
    print(row)


if __name__ == "__main__":
    main()
