"""Celery task for pulse's scheduler pass: no arguments at all, so nothing can leak into one."""

import logging

from celery import shared_task

from common.failures import log_failure
from pulse.scheduler import run_pulse_tick

logger = logging.getLogger(__name__)


@shared_task(name="pulse.tick", acks_late=True)
def tick() -> None:
    try:
        run_pulse_tick()
    except Exception as error:
        # Nothing escapes to Celery, which would log the exception's repr: the worker that
        # opens ballots must never let one quote what it was storing. Beat runs the next pass
        # in a minute.
        log_failure(logger, stage="The pulse tick", error=error)
