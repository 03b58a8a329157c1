"""Where a release's time goes, phase by phase, without a profiler's overhead.

Usage:
    .venv/bin/python bench/release_phases.py --postgres-database pulse_bench_release_growth
        [--first | --pulse-pass]

Runs `write_release()` on the latest closed cycle of a database a bench left (for example
bench/release_growth.py's, which ends with a third cycle closed and not released), in a
transaction that is rolled back, so it can be run again on the same store. Each phase's
function is wrapped to add up its wall time: reading and counting the responses, the
disclosure decisions, the comparison with earlier surveys (and, within it, its larger
parts), laying out and writing the comments, and writing the unit rows (COPY on PostgreSQL),
which includes scoring each unit as its row is made. `--first` deletes, inside the same
transaction, every earlier release first, so the release is timed as a first cycle's.

`--pulse-pass` runs the scheduler's whole pulse pass instead (`run_pulse_tick`: the sweep,
`release_cycle` with its commit, the answers' deletion and compaction, the results emails to
Django's dummy backend), on a copy of the database made for it and dropped afterwards, since
that pass commits; the parts around `write_release` are timed as well.

Prints the phases, longest first, with the release's wall time and the process's peak RSS,
then the peak RSS as each phase ended, in the order they ended.
"""

import argparse
import importlib
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    configure_django,
    drop_postgres_database,
    postgres_server,
    recreate_postgres_database,
)
from bench.growth_steps import peak_rss_mib  # noqa: E402

RELEASE_PHASES = (
    "reporting_units",
    "stats_by_unit",
    "readers_of_every_cycle",
    "decide_all",
    "compare_with_earlier",
    "lay_out_comments",
    "insert_rows",
    "write_comments",
    "link_trends",
)
# What a pulse pass does around write_release: the commit is what release_cycle's own time
# leaves once these are taken out.
PULSE_PASS_PARTS = (
    ("pulse.scheduler", "sweep"),
    ("pulse.release", "discard_raw_answers"),
    ("pulse.release", "compact"),
    ("pulse.scheduler", "announce_results"),
    ("pulse.scheduler", "remind_about_focus"),
)
# Parts of compare_with_earlier (the overlaps of groups are made as they are checked, so
# their time is in compare_with_earlier's own).
COMPARISON_PARTS = (
    "invited_cells",
    "compare_cycles",
    "units_with_unsure_answerers",
    "units_with_small_cuts",
    "units_in_small_combinations",
)


class PhaseClock:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        # (phase, the process's peak RSS in MiB when it ended), in the order the phases ended:
        # where a step of the peak was reached.
        self.peaks: list[tuple[str, float]] = []

    def wrap(self, module: ModuleType, name: str) -> None:
        timed: Callable[..., Any] = getattr(module, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return timed(*args, **kwargs)
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started
                self.peaks.append((name, peak_rss_mib(os.getpid())))

        setattr(module, name, wrapper)


class RolledBack(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres-database", required=True, help="a pulse_bench_ database")
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument("--first", action="store_true", help="time it as a first cycle's")
    kind.add_argument("--pulse-pass", action="store_true", help="time a whole pulse pass")
    args = parser.parse_args()
    if args.pulse_pass:
        copy = f"{args.postgres_database}_pass"
        started = time.perf_counter()
        recreate_postgres_database(postgres_server(), copy, template=args.postgres_database)
        print(f"copied {args.postgres_database} in {time.perf_counter() - started:.0f} s")
        try:
            time_pulse_pass(copy)
        finally:
            drop_postgres_database(postgres_server(), copy)
    else:
        time_write_release(args.postgres_database, first=args.first)


def time_pulse_pass(database: str) -> None:
    with tempfile.TemporaryDirectory(prefix="pulse-bench-") as scratch:
        configure_django("postgres", Path(scratch), database, fresh=False)
        from django.conf import settings

        import pulse.release
        import pulse.scheduler
        import pulse.trends

        settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
        clock = PhaseClock()
        for name in (*RELEASE_PHASES, "write_release", "release_cycle"):
            clock.wrap(pulse.release, name)
        for module, name in PULSE_PASS_PARTS:
            clock.wrap(importlib.import_module(module), name)
        for name in COMPARISON_PARTS:
            clock.wrap(pulse.trends, name)
        # release_cycle is looked up from the scheduler's own namespace.
        pulse.scheduler.release_cycle = pulse.release.release_cycle
        started = time.perf_counter()
        report = pulse.scheduler.run_pulse_tick()
        wall = time.perf_counter() - started
    assert report.released, "no cycle was released"
    seconds = clock.seconds
    commit = seconds["release_cycle"] - sum(
        seconds.get(name, 0.0) for name in ("write_release", "discard_raw_answers", "compact")
    )
    print(f"pulse pass: {wall:.1f} s, {report.results_emails} results emails")
    print(f"  release_cycle: {seconds['release_cycle']:.1f} s")
    print(f"    write_release: {seconds['write_release']:.1f} s")
    for name in ("discard_raw_answers", "compact"):
        print(f"    {name}: {seconds[name]:.1f} s")
    print(f"    the rest (the commit, with its deferred checks): {commit:.1f} s")
    for name in ("sweep", "announce_results", "remind_about_focus"):
        print(f"  {name}: {seconds[name]:.1f} s")
    print_peaks(clock)


def time_write_release(database: str, *, first: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="pulse-bench-") as scratch:
        configure_django("postgres", Path(scratch), database, fresh=False)
        from django.db import transaction

        import pulse.release
        import pulse.trends
        from pulse.models import ReleasedUnit
        from surveys.models import Cycle, CycleState

        clock = PhaseClock()
        for name in RELEASE_PHASES:
            clock.wrap(pulse.release, name)
        for name in COMPARISON_PARTS:
            clock.wrap(pulse.trends, name)
        cycle = Cycle.objects.filter(state=CycleState.CLOSED).order_by("-closes_at").first()
        assert cycle is not None, "no closed cycle in that database"
        try:
            with transaction.atomic():
                if first:
                    ReleasedUnit.objects.exclude(cycle=cycle).delete()
                started = time.perf_counter()
                pulse.release.write_release(cycle)
                wall = time.perf_counter() - started
                raise RolledBack
        except RolledBack:
            pass
    print(f"write_release: {wall:.1f} s")
    for name, seconds in sorted(clock.seconds.items(), key=lambda item: -item[1]):
        part = "  (of compare_with_earlier)" if name in COMPARISON_PARTS else ""
        print(f"  {name}: {seconds:.1f} s{part}")
    print_peaks(clock)


def print_peaks(clock: PhaseClock) -> None:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MiB")
    print("peak RSS as each phase ended:")
    for name, mib in clock.peaks:
        print(f"  {name}: {mib:.0f} MiB")


if __name__ == "__main__":
    main()
