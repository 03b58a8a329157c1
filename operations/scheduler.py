"""One scheduler pass over every app, in-process: what `manage.py tick` runs.

Beat runs the same two passes as separate tasks (`surveys.tick`, `pulse.tick`); here they run
one after the other, surveys first, so a cycle closed by this pass is swept and released in it.
"""

from dataclasses import dataclass
from datetime import datetime

from pulse.scheduler import PulseTickReport, run_pulse_tick
from surveys.scheduler import TickReport, run_tick


@dataclass(frozen=True)
class FullTickReport:
    surveys: TickReport
    pulse: PulseTickReport


def run_full_tick(*, now: datetime | None = None) -> FullTickReport:
    return FullTickReport(surveys=run_tick(now=now), pulse=run_pulse_tick())
