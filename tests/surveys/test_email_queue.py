"""An operator who sets PULSE_EMAIL_QUEUE gets sending on its own queue."""

import os
import subprocess
import sys

from tests.conftest import PROJECT_DIR


def routes_with(**env: str) -> str:
    code = (
        "import django; django.setup(); from config.celery_app import app; "
        "print(app.amqp.router.route({}, 'surveys.send_owed_emails').get('queue').name)"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.strip()


def test_sending_goes_to_the_email_queue_only_when_asked() -> None:
    assert routes_with(PULSE_EMAIL_QUEUE="email") == "email"
    assert routes_with(PULSE_EMAIL_QUEUE="") == "celery"
