"""How a release grows with the organisation: the summed release against the one that scored
every subtree's ballots again (tests/pulse/release_oracle.py), on a first, second and third cycle.

Usage:
    .venv/bin/python bench/release_growth.py [--people 100000] [--database sqlite|postgres]
        [--rounds 2] [--profile] [--without-old] [--postgres-database pulse_bench_...]

Builds the synthetic organisation and closed cycle of bench/release_and_dashboard.py (75% of
the people answered, a fifth of them with a comment), then computes and writes the cycle's
release with each implementation in turn, old and new alternating `--rounds` times, each in
a transaction that is rolled back so the next one starts from the same store. For each: wall
time, CPU time of this process, rows written, and, in one more run of each under tracemalloc,
the peak of Python memory it allocated. Then the first cycle is released for good, a few
people leave, join and move, a second cycle is answered and closed, and its release (which
compares itself with the first: pulse.trends.compare_with_earlier) is measured the same way,
with the time and memory of the trend comparison; then a third, which compares itself with
both and takes all three surveys' figures together. `--profile` prints where the new release's
time goes in each cycle (cProfile, by cumulative and by own time). `--without-old` times the
new release only (the old one takes far longer at a million people).

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
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import configure_django, machine, replace_table_rows  # noqa: E402

if TYPE_CHECKING:
    from surveys.models import Cadence, Cycle

SECTION = "## Release growth"
POSTGRES_DATABASE = "pulse_bench_release_growth"
# Of the people, the share who leave between the two cycles; as many join and as many move.
CHANGED_SHARE = 0.01


def closed_cycle(people: int) -> "Cycle":
    from django.utils import timezone

    from bench.launch_and_send import create_people, org_shape
    from surveys.models import Cadence
    from teams.team_tree import sync_teams

    create_people(org_shape(people, seed=3))
    sync_teams()
    cadence = Cadence.objects.create(name="Monthly", kind="monthly")
    return answered_and_closed(cadence, timezone.now(), random.Random(5))


def answered_and_closed(cadence: "Cadence", now: "datetime", rng: random.Random) -> "Cycle":
    from bench.release_and_dashboard import fill_responses
    from surveys.closing import close_cycle
    from surveys.launch import launch_now

    cycle = launch_now(cadence=cadence, now=now)
    fill_responses(cycle, rng)
    close_cycle(cycle_id=cycle.pk)
    cycle.refresh_from_db()
    return cycle


# The second cycle compares itself with the first (two surveys' figures together); the third
# with both, which also takes every earlier survey's figures together.
CYCLES = ("first", "second", "third")


def next_cycle(previous: "Cycle", seed: int) -> "Cycle":
    """The next month's cycle of the same organisation, after the previous one was released: a
    few people (CHANGED_SHARE of them each) left, joined, or moved to another manager, then
    everyone answered again (75%, a fifth with a comment)."""
    from pulse.release import release_cycle
    from teams.models import Person
    from teams.team_tree import sync_teams

    assert release_cycle(cycle_id=previous.pk)
    rng = random.Random(seed)
    people = list(Person.objects.values_list("pk", "manager_id"))
    leaders = {manager for _, manager in people if manager is not None}
    members = [pk for pk, manager in people if manager is not None and pk not in leaders]
    changes = max(1, int(len(people) * CHANGED_SHARE))
    leaving = rng.sample(members, changes)
    Person.objects.filter(pk__in=leaving).update(active=False)
    staying = sorted(set(members) - set(leaving))
    for person in rng.sample(staying, changes):
        Person.objects.filter(pk=person).update(manager_id=rng.choice(sorted(leaders)))
    first_new = max(pk for pk, _ in people) + 1
    Person.objects.bulk_create(
        Person(
            employee_id=f"N{index:07d}",
            email=f"joiner{index}@example.com",
            name=f"Joiner {index}",
            manager_id=rng.choice(sorted(leaders)),
        )
        for index in range(first_new, first_new + changes)
    )
    sync_teams()
    return answered_and_closed(previous.cadence, previous.closes_at + timedelta(days=31), rng)


class TrendTimer:
    """Wraps compare_with_earlier where both releases call it: the wall time spent in it and,
    under tracemalloc, the most it allocated above what the release held when it began."""

    def __init__(self) -> None:
        import pulse.release
        import pulse.trends
        from tests.pulse import release_oracle

        self.compare = pulse.trends.compare_with_earlier
        for module in (pulse.release, release_oracle):
            setattr(module, "compare_with_earlier", self.timed)  # noqa: B010
        self.reset()

    def reset(self) -> None:
        self.seconds = self.cpu = 0.0
        self.extra = 0  # bytes above what was allocated when the comparison began
        self.peak_before = 0  # the release's peak before the comparison reset it

    def timed(self, **asked: Any) -> Any:
        tracing = tracemalloc.is_tracing()
        if tracing:
            held, peak = tracemalloc.get_traced_memory()
            self.peak_before = max(self.peak_before, peak)
            tracemalloc.reset_peak()
        started, cpu = time.perf_counter(), time.process_time()
        try:
            return self.compare(**asked)
        finally:
            self.seconds += time.perf_counter() - started
            self.cpu += time.process_time() - cpu
            if tracing:
                self.extra = max(self.extra, tracemalloc.get_traced_memory()[1] - held)


def one_release(
    write_release: Callable[["Cycle"], int], cycle_id: int, trend: TrendTimer
) -> dict[str, float]:
    from django.db import transaction

    from pulse.disclosure import Suppression
    from pulse.models import ReleasedComment, ReleasedUnit
    from surveys.models import Cycle
    from tests.pulse import release_oracle

    trend.reset()
    with transaction.atomic():
        started, cpu = time.perf_counter(), time.process_time()
        write_release(Cycle.objects.get(pk=cycle_id))
        figures = {
            "wall": time.perf_counter() - started,
            "cpu": time.process_time() - cpu,
            "trend": trend.seconds,
            "trend_cpu": trend.cpu,
            "units": ReleasedUnit.objects.filter(cycle_id=cycle_id).count(),
            "comments": ReleasedComment.objects.filter(cycle_id=cycle_id).count(),
            # What earlier releases did to this one: units shown coarser, and withheld.
            "coarse": ReleasedUnit.objects.filter(
                cycle_id=cycle_id, status="released", figures__precision__gt=1
            ).count(),
            "withheld": ReleasedUnit.objects.filter(
                cycle_id=cycle_id, reason=Suppression.SINGLES_OUT_ACROSS_SURVEYS
            ).count(),
            # The old release's copies of each comment for every unit showing it, which it no
            # longer stores (tests/pulse/release_oracle.py).
            "copies": sum(len(texts) for texts in release_oracle.copies_by_unit.values()),
        }
        release_oracle.copies_by_unit.clear()
        transaction.set_rollback(True)
    return figures


def peak_memory(
    write_release: Callable[["Cycle"], int], cycle_id: int, trend: TrendTimer
) -> tuple[float, float]:
    """MiB at the peak of what Python allocated during one release (tracemalloc), and the most
    the trend comparison allocated above what the release held when it began."""
    tracemalloc.start()
    try:
        one_release(write_release, cycle_id, trend)
        peak = max(tracemalloc.get_traced_memory()[1], trend.peak_before)
        return peak / 2**20, trend.extra / 2**20
    finally:
        tracemalloc.stop()


def measure(
    cycle: "Cycle", implementations: dict[str, Callable[["Cycle"], int]], rounds: int
) -> dict[str, dict[str, float]]:
    """The faster of `rounds` runs of each implementation, alternating, with its peaks."""
    trend = TrendTimer()
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in implementations}
    for _ in range(rounds):
        for name, implementation in implementations.items():
            runs[name].append(one_release(implementation, cycle.pk, trend))
            print(cycle.pk, name, runs[name][-1], flush=True)
    best = {name: min(done, key=lambda run: run["wall"]) for name, done in runs.items()}
    for name, implementation in implementations.items():
        best[name]["peak"], best[name]["trend_peak"] = peak_memory(implementation, cycle.pk, trend)
        print(cycle.pk, name, "peak MiB", best[name]["peak"], best[name]["trend_peak"], flush=True)
    return best


def profile(write_release: Callable[["Cycle"], int], cycle: "Cycle") -> None:
    profiler = cProfile.Profile()
    profiler.runcall(one_release, write_release, cycle.pk, TrendTimer())
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
    pstats.Stats(profiler).sort_stats("tottime").print_stats(20)


def release_cell(run: dict[str, float] | None, *, later: bool) -> str:
    if run is None:
        return "not run"
    cell = f"{run['wall']:.1f} s ({run['cpu']:.1f} s CPU), {run['peak']:.0f} MiB"
    if later:
        cell += (
            f"; trend comparison {run['trend']:.1f} s ({run['trend_cpu']:.1f} s CPU, "
            f"{run['trend_cpu'] / run['cpu']:.0%} of the CPU), +{run['trend_peak']:.0f} MiB; "
            f"{run['coarse']:,.0f} units shown coarser, {run['withheld']:,.0f} withheld"
        )
    return cell


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--postgres-database",
        default=POSTGRES_DATABASE,
        help="a database name starting with pulse_bench_ (dropped and created again)",
    )
    parser.add_argument(
        "--without-old", action="store_true", help="time only the new release (for 1M people)"
    )
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="pulse-bench-") as scratch:
        configure_django(args.database, Path(scratch), args.postgres_database)
        from pulse.models import Response
        from pulse.release import write_release
        from tests.pulse import release_oracle

        implementations: dict[str, Callable[[Cycle], int]] = {"new": write_release}
        if not args.without_old:
            implementations = {"old": release_oracle.write_release, **implementations}
        started = time.perf_counter()
        cycle = closed_cycle(args.people)
        print(f"first cycle built in {time.perf_counter() - started:.0f} s", flush=True)
        for seed, label in enumerate(CYCLES):
            if seed:
                started = time.perf_counter()
                cycle = next_cycle(cycle, seed=6 + seed)
                print(f"{label} cycle built in {time.perf_counter() - started:.0f} s", flush=True)
            respondents = Response.objects.filter(cycle=cycle).count()
            best = measure(cycle, implementations, args.rounds)
            if args.profile:
                profile(write_release, cycle)
            old, new = best.get("old"), best["new"]
            rows.append(
                f"| {args.database} | {args.people:,} | {label} | {new['units']:,} "
                f"| {respondents:,} "
                f"| {release_cell(old, later=label != 'first')} "
                f"| {release_cell(new, later=label != 'first')} "
                f"| {speed_up(old, new)} "
                f"| {new['comments']:,} | `{command(args)}` |"
            )
    intro = (
        "`write_release()` on a first closed cycle (the organisation and answers of "
        "bench/release_and_dashboard.py) and, once that one is released, on a second and a "
        f"third cycle of the same organisation ({CHANGED_SHARE:.0%} of the people left, as "
        "many joined and as many moved to another manager each time; everyone answered "
        "again), each of which compares itself with every earlier one "
        "(pulse.trends.compare_with_earlier; the third also takes all three surveys' figures "
        "together). The release that scores every "
        "subtree's ballots again (old: tests/pulse/release_oracle.py; it still copies every "
        "comment for each unit showing it, but no longer stores the copies, so its time has no "
        "comment inserts) against the one that sums each unit's counts up the tree and stores "
        "each comment once (new: pulse.release), alternating in one process, "
        "each rolled back; the faster of the rounds, and the peak of Python's allocations in "
        "one more run of each under tracemalloc. For the later cycles, the wall and CPU time "
        "spent in the trend comparison, its share of the release's CPU time, and the most it "
        "allocated above what the release held when it began. Wall time depends on what else "
        "the machine runs (load "
        f"average {os.getloadavg()[0]:.1f} at the end of the latest run); CPU time is the "
        "release's own. Both take their decisions from pulse.disclosure, so its faster region "
        "rule speeds up both alike. Both publish the same set "
        f"(tests/pulse/test_release_equivalence.py). Machine: {machine()}."
    )
    header = (
        "| database | people | cycle | reporting units | respondents | old release "
        "| new release | speed-up | comment rows | command |"
    )
    for row, label in zip(rows, CYCLES, strict=True):
        replace_table_rows(
            SECTION, intro, header, row, key=f"| {args.database} | {args.people:,} | {label} "
        )
        print(row)


def speed_up(old: dict[str, float] | None, new: dict[str, float]) -> str:
    return f"{old['wall'] / new['wall']:.1f}x" if old else "-"


def command(args: argparse.Namespace) -> str:
    return (
        ".venv/bin/python bench/release_growth.py "
        f"--people {args.people} --database {args.database} --rounds {args.rounds}"
        + (" --without-old" if args.without_old else "")
    )


if __name__ == "__main__":
    main()
