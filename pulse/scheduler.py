"""Pulse's own scheduler pass: move due ballot batches, then release closed cycles."""

import logging
from dataclasses import dataclass, field

from pulse.release import releasable_cycle_ids, release_cycle
from pulse.sweep import flush_ballots

logger = logging.getLogger(__name__)


@dataclass
class PulseTickReport:
    ballots_moved: int = 0
    released: list[int] = field(default_factory=list)


def run_pulse_tick() -> PulseTickReport:
    report = PulseTickReport(ballots_moved=flush_ballots())
    # After the flush: a cycle with ballots still pending is not released yet.
    report.released = [
        cycle_id for cycle_id in releasable_cycle_ids() if release_cycle(cycle_id=cycle_id)
    ]
    return report
