"""How a release grows with the organisation: the summed release against the one that scored
every subtree's ballots again (tests/pulse/release_oracle.py), on the same closed cycle.

Usage:
    .venv/bin/python bench/release_growth.py [--people 100000] [--database sqlite|postgres]
        [--rounds 2] [--profile]

Builds the synthetic organisation and closed cycle of bench/release_and_dashboard.py (75% of
the people answered, a fifth of them with a comment), then computes and writes the cycle's
release with each implementation in turn, old and new alternating `--rounds` times, each in
a transaction that is rolled back so the next one starts from the same store. For each: wall
time, CPU time of this process, rows written, and, in one more run of each under tracemalloc,
the peak of Python memory it allocated. `--profile` prints where the new release's time goes
(cProfile, by cumulative time).

Writes the figures to docs/benchmarks.md, section "Release growth".
"""

import argparse
import cProfile
import os
import pstats
import random
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import configure_django, machine, replace_table_rows  # noqa: E402

if TYPE_CHECKING:
    from surveys.models import Cycle

SECTION = "## Release growth"
POSTGRES_DATABASE = "pulse_bench_release_growth"


def closed_cycle(people: int) -> "Cycle":
    from django.utils import timezone

    from bench.launch_and_send import create_people, org_shape
    from bench.release_and_dashboard import fill_responses
    from surveys.closing import close_cycle
    from surveys.launch import launch_now
    from surveys.models import Cadence
    from teams.team_tree import sync_teams

    create_people(org_shape(people, seed=3))
    sync_teams()
    cycle = launch_now(
        cadence=Cadence.objects.create(name="Monthly", kind="monthly"), now=timezone.now()
    )
    fill_responses(cycle, random.Random(5))
    close_cycle(cycle_id=cycle.pk)
    cycle.refresh_from_db()
    return cycle


def one_release(write_release: Callable[["Cycle"], int], cycle_id: int) -> dict[str, float]:
    from django.db import transaction

    from pulse.models import ReleasedComment, ReleasedUnit
    from surveys.models import Cycle
    from tests.pulse import release_oracle

    with transaction.atomic():
        started, cpu = time.perf_counter(), time.process_time()
        write_release(Cycle.objects.get(pk=cycle_id))
        figures = {
            "wall": time.perf_counter() - started,
            "cpu": time.process_time() - cpu,
            "units": ReleasedUnit.objects.filter(cycle_id=cycle_id).count(),
            "comments": ReleasedComment.objects.filter(cycle_id=cycle_id).count(),
            # The old release's copies of each comment for every unit showing it, which it no
            # longer stores (tests/pulse/release_oracle.py).
            "copies": sum(len(texts) for texts in release_oracle.copies_by_unit.values()),
        }
        release_oracle.copies_by_unit.clear()
        transaction.set_rollback(True)
    return figures


def peak_memory(write_release: Callable[["Cycle"], int], cycle_id: int) -> float:
    """MiB at the peak of what Python allocated during one release (tracemalloc)."""
    tracemalloc.start()
    try:
        one_release(write_release, cycle_id)
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pulse-bench-") as scratch:
        configure_django(args.database, Path(scratch), POSTGRES_DATABASE)
        from pulse.models import Response
        from pulse.release import write_release
        from tests.pulse import release_oracle

        cycle = closed_cycle(args.people)
        respondents = Response.objects.filter(cycle=cycle).count()
        implementations = {"old": release_oracle.write_release, "new": write_release}
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in implementations}
        for _ in range(args.rounds):
            for name, implementation in implementations.items():
                runs[name].append(one_release(implementation, cycle.pk))
                print(name, runs[name][-1], flush=True)
        peaks = {name: peak_memory(impl, cycle.pk) for name, impl in implementations.items()}
        print("peak MiB", peaks, flush=True)
        if args.profile:
            profiler = cProfile.Profile()
            profiler.runcall(one_release, write_release, cycle.pk)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    best = {name: min(done, key=lambda run: run["wall"]) for name, done in runs.items()}
    old, new = best["old"], best["new"]
    command = (
        ".venv/bin/python bench/release_growth.py "
        f"--people {args.people} --database {args.database} --rounds {args.rounds}"
    )
    row = (
        f"| {args.database} | {args.people:,} | {new['units']:,} | {respondents:,} "
        f"| {old['wall']:.1f} s ({old['cpu']:.1f} s CPU), {peaks['old']:.0f} MiB, "
        f"{old['copies']:,} comment copies (not stored) "
        f"| {new['wall']:.1f} s ({new['cpu']:.1f} s CPU), {peaks['new']:.0f} MiB, "
        f"{new['comments']:,} comment rows "
        f"| {old['wall'] / new['wall']:.1f}x | `{command}` |"
    )
    intro = (
        "`write_release()` on one closed cycle (the organisation and answers of "
        "bench/release_and_dashboard.py), the release that scores every subtree's ballots "
        "again (old: tests/pulse/release_oracle.py; it still copies every comment for each "
        "unit showing it, but no longer stores the copies, so its time has no comment "
        "inserts) against the one that sums each unit's counts up the tree and stores each "
        "comment once (new: pulse.release), alternating in one process, each rolled "
        "back; the faster of the rounds, and the peak of Python's allocations in one more run "
        "of each under tracemalloc. Wall time depends on what else the machine runs (load "
        f"average {os.getloadavg()[0]:.1f} at the end of the latest run); CPU time is the "
        "release's own. Both publish the same set "
        f"(tests/pulse/test_release_equivalence.py). Machine: {machine()}."
    )
    header = (
        "| database | people | reporting units | respondents | old release | new release "
        "| speed-up | command |"
    )
    replace_table_rows(SECTION, intro, header, row, key=f"| {args.database} | {args.people:,} ")
    print(row)


if __name__ == "__main__":
    main()
