"""Pulse's own scheduler pass: sweep the waiting ballots, release closed cycles, then tell the
managers (results ready, and the one reminder to choose a focus).

One cycle's failure stops only that cycle: it is logged by ids (common.failures), recorded for
HR on the cycle, and tried again at the next pass, while the other cycles are released.
"""

import logging
from dataclasses import dataclass, field

from django.utils import timezone

from common.failures import log_failure
from pulse.loop_emails import announce_results, remind_about_focus
from pulse.models import CycleRelease
from pulse.release import releasable_cycle_ids, release_cycle
from pulse.sweep import sweep
from surveys.models import Cycle, StuckReason

logger = logging.getLogger(__name__)


@dataclass
class PulseTickReport:
    # How many ballots the sweep moved is not reported: a batch size is a clue (docs/anonymity.md).
    released: list[int] = field(default_factory=list)
    results_emails: int = 0
    focus_reminders: int = 0


def run_pulse_tick() -> PulseTickReport:
    try:
        # Each unit's failure is contained in the sweep; what is left (the database gone,
        # compaction) must not keep other cycles from their release either.
        sweep()
    except Exception as error:
        log_failure(logger, stage="The sweep", error=error)
    report = PulseTickReport()
    # After the sweep: a cycle with ballots still pending is not released yet.
    report.released = [cycle_id for cycle_id in releasable_cycle_ids() if released(cycle_id)]
    # After the releases have committed, so an email never announces figures not yet stored.
    # A mail server that is down must not stop the next pass's releases either.
    try:
        report.results_emails = announce_results()
        report.focus_reminders = remind_about_focus()
    except Exception as error:
        log_failure(logger, stage="Emailing managers", error=error)
    return report


def released(cycle_id: int) -> bool:
    """Release one cycle; a failure is logged by ids and recorded for HR, never raised."""
    try:
        return release_cycle(cycle_id=cycle_id)
    except Exception as error:
        log_failure(logger, stage="Releasing results", error=error, cycle=cycle_id)
        # Compaction runs after the release has committed: a release that went through is
        # not stuck, whatever came after it.
        if not CycleRelease.objects.filter(cycle_id=cycle_id).exists():
            Cycle.objects.mark_stuck(cycle_id, reason=StuckReason.RELEASING, now=timezone.now())
        return False
