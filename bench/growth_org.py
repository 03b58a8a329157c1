"""The org chart files of bench/growth.py, written line by line (a million people must not sit
in Python lists of rows), and the baseline that reads one with nothing but the csv module."""

import csv
import random
from collections.abc import Iterator
from pathlib import Path

from bench.launch_and_send import OrgShape

HEADER = ["employee_id", "email", "name", "manager_id"]
# Between the two cycles this share of the people change: half of them move to another
# manager, the others change their name. Enough for the trend's membership rule to see a
# change, few enough to be the month-to-month churn of a real organisation.
CHANGED_SHARE = 0.01


def employee_id(index: int) -> str:
    return f"E{index + 1:07d}"


def org_lines(
    shape: OrgShape, *, changed: set[int] | None = None, seed: int = 11
) -> Iterator[list[str]]:
    """One CSV row per person of `shape`; people in `changed` moved or renamed."""
    rng = random.Random(seed)
    changed = changed or set()
    for index, manager in enumerate(shape.managers):
        name = f"Person {index + 1}"
        if index in changed and index % 2 == 0:
            name += " Jr."
        elif index in changed:
            # The manager of someone earlier in breadth-first order: an existing manager who
            # is never one of this person's own reports, so the move makes no loop.
            manager = shape.managers[rng.randrange(1, index)] if index > 1 else manager
        yield [
            employee_id(index),
            f"person{index + 1}@example.com",
            name,
            "" if manager is None else employee_id(manager),
        ]


def changed_people(people: int, *, seed: int = 13) -> set[int]:
    """Indexes of the people who change between the cycles (never the top person)."""
    return set(random.Random(seed).sample(range(1, people), max(1, int(people * CHANGED_SHARE))))


def write_org_csv(path: Path, lines: Iterator[list[str]]) -> int:
    """Write the file; return how many people it lists."""
    count = 0
    with path.open("w", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(HEADER)
        for line in lines:
            writer.writerow(line)
            count += 1
    return count


def read_with_csv_module(*, path: str) -> dict[str, int]:
    """The baseline of the import: every row of the same file read by the csv module."""
    with open(path, newline="") as file:
        rows = sum(1 for _ in csv.reader(file)) - 1
    return {"rows": rows}
