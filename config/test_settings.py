"""Test settings: the real settings with only what tests need changed."""

import os

from config.settings import *  # noqa: F403
from config.settings import BASE_DIR, DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests never send real mail; a worker started by a test may ask for another test backend.
EMAIL_BACKEND = os.environ.get(
    "PULSE_TEST_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend"
)

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so a Celery worker started by a test sees the same database.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}

# Static files are collected by scripts/run, not by tests: give whitenoise an existing folder.
STATIC_ROOT = BASE_DIR / "var" / "test-static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
