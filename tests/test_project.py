"""The project as an operator meets it: migrations, start-up checks, the Celery round trip."""

import os
import re
import subprocess
import sys

import pytest
from django.core.management import call_command

from config.celery_app import app as celery_app
from tests.conftest import PROJECT_DIR


@pytest.mark.django_db
def test_every_model_change_has_a_migration() -> None:
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def run_django_setup(**env: str) -> subprocess.CompletedProcess:
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PULSE_"))}
    clean_env.update(DJANGO_SETTINGS_MODULE="config.settings", **env)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print('started', 'DEBUG' if settings.DEBUG else 'production')",
        ],
        cwd=PROJECT_DIR,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_fresh_clone_starts_in_debug_with_nothing_set() -> None:
    result = run_django_setup()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "started DEBUG"


# Keys as `secrets.token_urlsafe(48)` makes them.
STRONG_SECRET_KEY = "k2VvX9mYq3Lr8Tz1Pw6Hs4Nd7Bc0Gf5Jx2Qa9Ue3Io8Rt1Ym6Wl4Zk7Sv0Hp5Dn"
STRONG_TOKEN_KEY = "Zr0xvQm7kE2pL9sWc4NfT1yHb8GdJ6uA3iXoV5qRtY_nM2cE7wK4sP9fL1hG6dB3"
STRONG_BALLOT_KEY = "mB4-kW9pQz2sXe7cV1nH6tLr3yJa8dFu0gKo5iNbTqRwC7xZ2vM5jE9sH1lP4aG6"


def test_production_refuses_to_start_with_development_keys() -> None:
    result = run_django_setup(DJANGO_DEBUG="0", DJANGO_SECRET_KEY=STRONG_SECRET_KEY)
    assert result.returncode != 0
    assert "PULSE_TOKEN_KEY is the public development key" in result.stderr
    assert "PULSE_BALLOT_KEY is the public development key" in result.stderr
    assert "DJANGO_SECRET_KEY" not in result.stderr.splitlines()[-1]


def test_production_starts_once_every_key_is_set() -> None:
    result = run_django_setup(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=STRONG_SECRET_KEY,
        PULSE_TOKEN_KEY=STRONG_TOKEN_KEY,
        PULSE_BALLOT_KEY=STRONG_BALLOT_KEY,
        ALLOWED_HOSTS="pulse.example.com",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "started production"


@pytest.mark.redis
def test_a_real_worker_answers_through_redis(celery_worker_process) -> None:
    replies = celery_app.control.ping(timeout=5)
    for _ in range(10):
        if replies:
            break
        replies = celery_app.control.ping(timeout=5)
    assert replies and all(
        reply == {"ok": "pong"} for answer in replies for reply in answer.values()
    )
    # The worker logs through the project's LOGGING ("<time> LEVEL logger message"), not
    # Celery's own "[time: LEVEL/process]" layout: the same handlers and redaction as the web.
    log = celery_worker_process.log_path.read_text(errors="replace")
    assert re.search(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ INFO celery\.\S+ ", log, re.M), log
    assert not re.search(r"^\[\d{4}-\d\d-\d\d [^\]]*: INFO/", log, re.M), log


def test_an_unknown_value_in_a_flag_stops_start_up_naming_the_variable_and_the_value() -> None:
    result = run_django_setup(DJANGO_DEBUG="flase")
    assert result.returncode != 0
    assert "DJANGO_DEBUG='flase' is neither true" in result.stderr
    assert "started" not in result.stdout


def test_flags_accept_the_usual_words_for_false() -> None:
    for word in ("0", "false", "No", " off "):
        result = run_django_setup(DJANGO_DEBUG=word, DJANGO_SECRET_KEY=STRONG_SECRET_KEY)
        # Off means production: it refuses the development keys, which proves DEBUG is off.
        assert "PULSE_TOKEN_KEY" in result.stderr, word
