"""The steps of bench/growth.py, each run in a fresh process of its own so that its peak
memory is its own: the process sets Django up from the environment the parent prepared, runs
one product entry point, and reports wall time, its peak RSS and the SQL statements it sent.

Every step calls what the product itself calls (the org import service, "launch now", the
close, the scheduler's pulse pass), so the figures follow whatever those become.
"""

import os
import random
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from bench.growth_org import read_with_csv_module


@dataclass(frozen=True)
class StepResult:
    seconds: float
    peak_mib: float  # VmHWM of the process that ran the step (Django set-up included)
    queries: int
    facts: dict[str, Any] = field(default_factory=dict)


def import_org_file(*, path: str) -> dict[str, Any]:
    """The product's import: parse and validate the file, sync people and teams."""
    from teams.org_csv import parse_csv
    from teams.services import import_org

    summary = import_org(rows=parse_csv(Path(path).read_bytes()))
    return {"created": summary.created, "updated": summary.updated, "teams": summary.teams}


def launch(*, cadence_id: int, now: str) -> dict[str, Any]:
    from surveys.launch import launch_now
    from surveys.models import Cadence, CycleTeam

    cycle = launch_now(cadence=Cadence.objects.get(pk=cadence_id), now=datetime.fromisoformat(now))
    return {
        "cycle": cycle.pk,
        "invited": cycle.invited_count,
        "units": CycleTeam.objects.filter(cycle=cycle).count(),
    }


def fill_answers(*, cycle_id: int, seed: int) -> dict[str, Any]:
    """Bench set-up, not product code: answers from 75% in bulk (bench/release_and_dashboard)."""
    from bench.release_and_dashboard import fill_responses
    from surveys.models import Cycle

    cycle = Cycle.objects.get(pk=cycle_id)
    return {"respondents": fill_responses(cycle, random.Random(seed), mark_answered=True)}


def close(*, cycle_id: int, now: str) -> dict[str, Any]:
    from surveys.closing import close_cycle

    assert close_cycle(cycle_id=cycle_id, now=datetime.fromisoformat(now))
    return {}


def release_by_scheduler(*, cycle_id: int) -> dict[str, Any]:
    """One pulse pass of the scheduler (sweep, release, results emails), as beat runs it."""
    from pulse.models import ReleasedUnit
    from pulse.release_models import ReleaseStatus
    from pulse.scheduler import run_pulse_tick

    report = run_pulse_tick()
    assert report.released == [cycle_id], report
    units = ReleasedUnit.objects.filter(cycle_id=cycle_id)
    return {
        "published": units.filter(status=ReleaseStatus.RELEASED).count(),
        "emails": report.results_emails,
    }


STEPS: dict[str, Callable[..., dict[str, Any]]] = {
    "read_with_csv_module": read_with_csv_module,
    "import_org_file": import_org_file,
    "launch": launch,
    "fill_answers": fill_answers,
    "close": close,
    "release_by_scheduler": release_by_scheduler,
}


def measure_here(step: str, kwargs: dict[str, Any]) -> StepResult:
    """In the child: set Django up, run the step under a statement counter."""
    import django

    django.setup()
    from django.db import connection

    from bench.launch_and_send import QueryCounter

    counter = QueryCounter()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        facts = STEPS[step](**kwargs)
    seconds = time.perf_counter() - started
    return StepResult(seconds, peak_rss_mib(os.getpid()), counter.total, facts)


def peak_rss_mib(pid: int) -> float:
    """The process's peak resident set (VmHWM). Not ru_maxrss: Linux carries that across
    fork and exec, so a spawned child would report at least its parent's size at the fork."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


def run_step(step: str, **kwargs: Any) -> StepResult:
    """Run one step in a fresh spawned process (nothing inherited from this one but the
    environment), and wait for it."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        result = pool.submit(measure_here, step, kwargs).result()
    print(
        f"  {step}: {result.seconds:.1f} s, {result.peak_mib:.0f} MiB, "
        f"{result.queries:,} queries {result.facts}",
        flush=True,
    )
    return result
