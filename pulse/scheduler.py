"""Pulse's own scheduler pass: sweep the waiting ballots, then release closed cycles."""

import logging
from dataclasses import dataclass, field

from pulse.release import releasable_cycle_ids, release_cycle
from pulse.sweep import sweep

logger = logging.getLogger(__name__)


@dataclass
class PulseTickReport:
    # How many ballots the sweep moved is not reported: a batch size is a clue (docs/anonymity.md).
    released: list[int] = field(default_factory=list)


def run_pulse_tick() -> PulseTickReport:
    sweep()
    report = PulseTickReport()
    # After the sweep: a cycle with ballots still pending is not released yet.
    report.released = [
        cycle_id for cycle_id in releasable_cycle_ids() if release_cycle(cycle_id=cycle_id)
    ]
    return report
