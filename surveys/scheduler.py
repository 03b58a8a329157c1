"""One scheduler pass for the surveys app, derived entirely from database state.

`manage.py tick` runs it in-process and sends inline; the Celery beat entry runs the same pass
and fans sending out to workers. Any number of passes, two beats, or a restart after a crash
converge on the same result: cycles are unique per cadence and period, launches and closes are
conditional updates, and emails are claimed in batches.

One cycle's failure to close or to send stops only that cycle: it is logged by ids
(common.failures), recorded for HR on the cycle (`Cycle.stuck_reason`), and tried again at the
next pass, while the other cycles go on.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from common.failures import log_failure
from surveys.closing import close_cycle
from surveys.erased_people import forget_erased_people
from surveys.launch import create_cycle, launch_cycle, schedule_rule
from surveys.models import Cadence, Cycle, CycleState, StuckReason
from surveys.schedule import due_period
from surveys.send_claims import cycles_owing_email
from surveys.sending import TransientSendError, delete_links_of_cycles_not_open, send_owed

logger = logging.getLogger(__name__)


@dataclass
class TickReport:
    launched: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)
    reminder_waves: list[int] = field(default_factory=list)
    emails_sent: int = 0
    emails_failed: int = 0
    senders_dispatched: int = 0


def run_tick(
    *, now: datetime | None = None, dispatch_sender: Callable[[int], None] | None = None
) -> TickReport:
    """Open, remind, close, send. With `dispatch_sender`, sending is handed to it per cycle."""
    now = now or timezone.now()
    report = TickReport()
    create_due_cycles(now)
    report.closed = [cycle_id for cycle_id in expired_cycle_ids(now) if closed(cycle_id, now)]
    report.launched = [
        cycle_id
        for cycle_id in launchable_cycles(now).values_list("pk", flat=True)
        if launch_cycle(cycle_id=cycle_id)
    ]
    report.reminder_waves = advance_reminder_waves(now)
    delete_links_of_cycles_not_open()
    forget_erased_people()
    for cycle_id in cycles_owing_email():
        if dispatch_sender:
            for _ in range(settings.PULSE_SENDERS_PER_CYCLE):
                dispatch_sender(cycle_id)
                report.senders_dispatched += 1
        else:
            try:
                result = send_owed(cycle_id=cycle_id)
            except TransientSendError as error:
                # The unsent rest of the batch was handed back; the next pass tries again.
                logger.warning("Cycle %s: mail server unavailable, will retry: %s", cycle_id, error)
                continue
            except Exception as error:
                sending_failed(cycle_id, error)
                continue
            sending_went_through(cycle_id)
            report.emails_sent += result.sent
            report.emails_failed += result.failed
    return report


def closed(cycle_id: int, now: datetime) -> bool:
    """Close one expired cycle; a failure is logged by ids and recorded for HR, never raised."""
    try:
        closed_now = close_cycle(cycle_id=cycle_id, now=now)
    except Exception as error:
        log_failure(logger, stage="Closing the cycle", error=error, cycle=cycle_id)
        Cycle.objects.mark_stuck(cycle_id, reason=StuckReason.CLOSING, now=timezone.now())
        return False
    Cycle.objects.clear_stuck(cycle_id, reasons=[StuckReason.CLOSING])
    return closed_now


def sending_failed(cycle_id: int, error: Exception) -> None:
    """Log by ids only: a sending error's message can carry an address. The claimed batch is
    claimed again once its claim is stale."""
    log_failure(logger, stage="Sending invitations", error=error, cycle=cycle_id)
    Cycle.objects.mark_stuck(cycle_id, reason=StuckReason.SENDING, now=timezone.now())


def sending_went_through(cycle_id: int) -> None:
    Cycle.objects.clear_stuck(cycle_id, reasons=[StuckReason.SENDING])


def create_due_cycles(now: datetime) -> None:
    for cadence in Cadence.objects.filter(active=True):
        period = due_period(schedule_rule(cadence), now)
        # A period that opened before the cadence existed is not launched retroactively;
        # HR can still launch it by hand.
        if period and period.opens_at >= cadence.created_at:
            create_cycle(cadence=cadence, period=period)


def launchable_cycles(now: datetime) -> QuerySet[Cycle]:
    return Cycle.objects.filter(state=CycleState.SCHEDULED, opens_at__lte=now, closes_at__gt=now)


def expired_cycle_ids(now: datetime) -> list[int]:
    return list(
        Cycle.objects.filter(
            state__in=[CycleState.OPEN, CycleState.SCHEDULED], closes_at__lte=now
        ).values_list("pk", flat=True)
    )


def advance_reminder_waves(now: datetime) -> list[int]:
    """Mark reminder waves due. A wave missed while the system was down is not sent twice:
    the invitation is owed 1 + waves emails, however many waves came due at once."""
    advanced = []
    for cycle in Cycle.objects.filter(state=CycleState.OPEN):
        due = sum(
            1 for days in cycle.reminder_offsets if cycle.opens_at + timedelta(days=days) <= now
        )
        if due > cycle.reminder_waves_due and Cycle.objects.filter(
            pk=cycle.pk, reminder_waves_due__lt=due
        ).update(reminder_waves_due=due):
            logger.info("Cycle %s: reminder wave %s is due", cycle.pk, due)
            advanced.append(cycle.pk)
    return advanced
