"""Celery wiring. The broker comes from settings (CELERY_BROKER_URL, else REDIS_URL)."""

import os
from logging.config import dictConfig

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("pulse")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# Celery's own hook, not one of ours: connected, it stops Celery from replacing the logging
# set-up, so workers and beat write through the project's LOGGING like the web processes, and
# answer links are redacted in their records too (pulse.log_redaction).
@setup_logging.connect
def use_project_logging(**_: object) -> None:
    from django.conf import settings

    dictConfig(settings.LOGGING)
