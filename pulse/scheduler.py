"""Pulse's own scheduler pass: sweep the waiting ballots, release closed cycles, then tell the
managers (results ready, and the one reminder to choose a focus)."""

import logging
from dataclasses import dataclass, field

from pulse.loop_emails import announce_results, remind_about_focus
from pulse.release import releasable_cycle_ids, release_cycle
from pulse.sweep import sweep

logger = logging.getLogger(__name__)


@dataclass
class PulseTickReport:
    # How many ballots the sweep moved is not reported: a batch size is a clue (docs/anonymity.md).
    released: list[int] = field(default_factory=list)
    results_emails: int = 0
    focus_reminders: int = 0


def run_pulse_tick() -> PulseTickReport:
    sweep()
    report = PulseTickReport()
    # After the sweep: a cycle with ballots still pending is not released yet.
    report.released = [
        cycle_id for cycle_id in releasable_cycle_ids() if release_cycle(cycle_id=cycle_id)
    ]
    # After the releases have committed, so an email never announces figures not yet stored.
    report.results_emails = announce_results()
    report.focus_reminders = remind_about_focus()
    return report
