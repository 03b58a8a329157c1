"""Celery wiring. The broker comes from settings (CELERY_BROKER_URL, else REDIS_URL)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("pulse")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="pulse.ping", ignore_result=False)
def ping() -> str:
    """A task with no side effects: health checks and tests round-trip it through a worker."""
    return "pong"
