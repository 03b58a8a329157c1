"""Celery task for pulse's scheduler pass: no arguments at all, so nothing can leak into one."""

from celery import shared_task

from pulse.scheduler import run_pulse_tick


@shared_task(name="pulse.tick", acks_late=True)
def tick() -> None:
    run_pulse_tick()
