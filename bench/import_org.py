"""Import a synthetic 100k-person org chart and compare with a bare bulk insert.

Usage:
    .venv/bin/python bench/import_org.py [--people 100000] [--database sqlite|postgres]
        [--rounds 3]

Sets Django up itself in a fresh database: a scratch SQLite file, or the PostgreSQL database
`pulse_bench_import` on 127.0.0.1:5432 (dropped and created again). Measures, in one process:

- baseline: parsing the same CSV with the csv module and `bulk_create` of the same people into
  an empty table (no validation, no managers, no teams);
- first import: `parse_csv` + `import_org` into an empty database (everyone created);
- re-import of the same file (nothing changes);
- an import where 5% of the people changed name, email or manager.

Baseline and imports alternate in `--rounds` rounds (the order swaps each round, and people and
teams are emptied before each), so a shared machine that speeds up or slows down weighs on both
alike. Reports the medians, and each round's ratio to the baseline of the same round.

Writes the figures to docs/benchmarks.md, section "Org import" (other sections are kept).
"""

import argparse
import csv
import io
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import configure_django, machine, replace_table_rows  # noqa: E402

SECTION = "## Org import"
POSTGRES_DATABASE = "pulse_bench_import"


def org_rows(people: int, seed: int = 7) -> list[list[str]]:
    """Reporting lines grown breadth-first with spans of 5-10 (some teams of 2-4)."""
    rng = random.Random(seed)
    managers: list[int | None] = [None]
    frontier = [0]
    while len(managers) < people:
        boss = frontier.pop(0)
        span = rng.randint(2, 4) if rng.random() < 0.08 else rng.randint(5, 10)
        for _ in range(min(span, people - len(managers))):
            managers.append(boss)
            frontier.append(len(managers) - 1)
    return [
        [
            f"E{index:06d}",
            f"person{index}@example.com",
            f"Person {index}",
            "" if manager is None else f"E{manager:06d}",
            f"Team {index}" if index % 50 == 0 else "",
        ]
        for index, manager in enumerate(managers)
    ]


def to_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["employee_id", "email", "name", "manager_id", "team"])
    writer.writerows(rows)
    return buffer.getvalue().encode()


def changed_by_five_percent(rows: list[list[str]], seed: int = 11) -> list[list[str]]:
    rng = random.Random(seed)
    changed = [list(row) for row in rows]
    for index in rng.sample(range(1, len(rows)), len(rows) // 20):
        kind = index % 3
        if kind == 0:
            changed[index][2] += " Jr."
        elif kind == 1:
            changed[index][1] = f"renamed{index}@example.com"
        else:
            # Someone earlier in breadth-first order: never one's own report, so no loop.
            changed[index][3] = changed[rng.randrange(0, index)][0]
    return changed


Result = TypeVar("Result")


def timed(action: Callable[[], Result]) -> tuple[float, Result]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def empty_org() -> None:
    """Empty people and teams in one statement per backend (TRUNCATE on PostgreSQL), untimed:
    each measurement starts from the same empty tables."""
    from django.core.management.color import no_style
    from django.db import connection

    from teams.models import Person, Team

    tables = [Team._meta.db_table, Person._meta.db_table]
    statements = connection.ops.sql_flush(no_style(), tables, allow_cascade=True)
    connection.ops.execute_sql_flush(statements)


def baseline_seconds(data: bytes) -> float:
    from django.db import transaction

    from teams.models import Person

    def insert() -> None:
        reader = csv.reader(io.StringIO(data.decode()))
        next(reader)
        with transaction.atomic():
            Person.objects.bulk_create(
                (Person(employee_id=r[0], email=r[1], name=r[2]) for r in reader),
                batch_size=2000,
            )

    seconds, _ = timed(insert)
    assert Person.objects.count() == len(data.splitlines()) - 1
    return seconds


def import_seconds(data: bytes, changed: bytes, people: int) -> dict[str, float]:
    """First import, the same file again, then 5% changed: seconds of each, plus counts."""
    from teams.models import Person, Team
    from teams.org_csv import parse_csv
    from teams.services import import_org

    first, created = timed(lambda: import_org(rows=parse_csv(data)))
    again, unchanged = timed(lambda: import_org(rows=parse_csv(data)))
    five, updated = timed(lambda: import_org(rows=parse_csv(changed)))
    assert created.created == people and unchanged.unchanged == people, (created, unchanged)
    assert Person.objects.count() == people
    return {
        "first": first,
        "again": again,
        "five": five,
        "teams": Team.objects.count(),
        "updated": updated.updated,
    }


def run(people: int, rounds: int) -> list[dict[str, float]]:
    rows = org_rows(people)
    data = to_csv(rows)
    changed = to_csv(changed_by_five_percent(rows))
    measured: list[dict[str, float]] = []
    for number in range(rounds):
        order = ["baseline", "import"] if number % 2 == 0 else ["import", "baseline"]
        figures: dict[str, float] = {}
        for kind in order:
            empty_org()
            if kind == "baseline":
                figures["baseline"] = baseline_seconds(data)
            else:
                figures.update(import_seconds(data, changed, people))
        empty_org()
        measured.append(figures)
        print(
            f"round {number + 1} ({order[0]} first): "
            + ", ".join(
                f"{name} {figures[name]:.1f} s" for name in ("baseline", "first", "again", "five")
            ),
            flush=True,
        )
    return measured


def median_of(measured: list[dict[str, float]], name: str) -> float:
    return statistics.median(figures[name] for figures in measured)


def ratios_of(measured: list[dict[str, float]], name: str) -> str:
    """Each round's time over that round's baseline, and their median."""
    ratios = [figures[name] / figures["baseline"] for figures in measured]
    each = ", ".join(f"{ratio:.1f}" for ratio in ratios)
    return f"{statistics.median(ratios):.1f}x; rounds {each}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pulse-bench-") as scratch:
        configure_django(args.database, Path(scratch), POSTGRES_DATABASE)
        load_before = os.getloadavg()[0]
        measured = run(args.people, args.rounds)
    load = f"{load_before:.1f} / {os.getloadavg()[0]:.1f}"
    command = (
        f".venv/bin/python bench/import_org.py --people {args.people} --database {args.database} "
        f"--rounds {args.rounds}"
    )
    last = measured[-1]
    row = (
        f"| {args.database} | {args.people:,} | {int(last['teams']):,} | {args.rounds} "
        f"| {median_of(measured, 'baseline'):.1f} s "
        f"| {median_of(measured, 'first'):.1f} s ({ratios_of(measured, 'first')}) "
        f"| {median_of(measured, 'again'):.1f} s ({ratios_of(measured, 'again')}) "
        f"| {median_of(measured, 'five'):.1f} s ({ratios_of(measured, 'five')}; "
        f"{int(last['updated']):,} people updated) | {load} | `{command}` |"
    )
    intro = (
        "`import_org` (parse, validate, sync people, derive teams) on a synthetic organisation "
        "with spans of 5-10 and some teams of 2-4, against a baseline run in the same process: "
        "the csv module reading the same file and a bare `bulk_create` of the same people (no "
        "validation, no managers, no teams). Baseline and imports alternate round by round "
        "(the order swaps each round; people and teams are emptied before each, untimed). "
        "Times are medians over the rounds; ratios are import time / the same round's baseline "
        "time: their median, then each round's. Load is the 1-minute load average before the "
        "first round and after the last (the machine is shared with other work). "
        f"Machine: {machine()}."
    )
    header = (
        "| database | people | teams | rounds | baseline | first import | same file again "
        "| 5% changed | load (before / after) | command |"
    )
    replace_table_rows(SECTION, intro, header, row, key=f"| {args.database} | {args.people:,} ")
    print(row)


if __name__ == "__main__":
    main()
