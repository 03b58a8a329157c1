"""Shared fixtures (a real Redis, a real Celery worker process) and the suite's markers.

Markers say which real infrastructure a test drives, so `pytest -m "not slow"` is the everyday
loop and scripts/test runs everything. Most are applied here from what a test uses (its
fixtures, or the module's imports), so a new test gets the right marks without remembering them.
"""

import importlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from tests.support.hr_logins import outside_hr_login
from tests.support.import_jobs import QueuedImportJobs, queue_for_the_test

PROJECT_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture
def redis_client() -> redis.Redis:
    """The Redis named by REDIS_URL; scripts/test makes sure one is running."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError as error:
        pytest.fail(f"No Redis at {settings.REDIS_URL} ({error}); run the suite via scripts/test.")
    return client


def database_url_of_test_database() -> str:
    """A DATABASE_URL for the database this test run uses, so a subprocess can share it."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    credentials = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"])
    host = db["HOST"] or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}@{host}{port}/{db['NAME']}"


def subprocess_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.test_settings",
        DATABASE_URL=database_url_of_test_database(),
        REDIS_URL=settings.REDIS_URL,
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        CELERY_RESULT_BACKEND=settings.CELERY_RESULT_BACKEND,
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


class WorkerProcess:
    """A `celery worker` subprocess on the test database and the test broker."""

    def __init__(self, log_path: Path, **extra_env: str) -> None:
        self.log_path = log_path
        self.extra_env = extra_env
        self.process: subprocess.Popen | None = None

    def start(self) -> "WorkerProcess":
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
            ],
            cwd=PROJECT_DIR,
            env=subprocess_env(**self.extra_env),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self._wait_until_ready()
        return self

    def _wait_until_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "ready." in self.log_path.read_text(errors="replace"):
                return
            if self.process and self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError(f"Celery worker did not start:\n{self.log_path.read_text()}")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def celery_worker_process(tmp_path: Path, redis_client: redis.Redis) -> Iterator[WorkerProcess]:
    """A started worker; stopped at the end of the test. Its log is in tmp_path/worker.log."""
    worker = WorkerProcess(tmp_path / "worker.log").start()
    yield worker
    worker.stop()


@pytest.fixture
def import_jobs(monkeypatch: pytest.MonkeyPatch) -> QueuedImportJobs:
    """Org import jobs queued by the code under test; the test runs them with run_all()."""
    return queue_for_the_test(monkeypatch)


@pytest.fixture
def item_catalogue(transactional_db: None) -> None:
    """The shipped item catalogue, for tests that run with real transactions: their database is
    flushed between tests, data migrations included."""
    from django.apps import apps

    catalogue = importlib.import_module("surveys.migrations.0002_item_catalogue")
    catalogue.add_items(apps, None)


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> Iterator[None]:
    """Rate-limit counters live in Redis and outlive a test: start every test with none."""
    location = settings.CACHES["default"]["LOCATION"]
    assert isinstance(location, str), "the cache is one Redis server, named by its URL"
    client = redis.Redis.from_url(location)
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    yield


# A fixture a test uses -> the markers that says about it.
MARKS_OF_FIXTURE = {
    "redis_client": ("redis",),
    "celery_worker_process": ("celery_worker", "slow"),
    "browser": ("browser", "slow"),
    "live_server": ("slow",),
}
# Something a test module imports -> the markers of all its tests.
MARKS_OF_IMPORT = {
    "aiosmtpd": ("smtp", "slow"),
    "tests.conftest.WorkerProcess": ("celery_worker", "slow"),
}
# Tests (node id prefixes) that take seconds each without a marker saying why: subprocesses
# (gunicorn, manage.py check --deploy, an email queue worker), schemathesis, ticking a day by
# ten minutes. Measured with pytest --durations (README, "Tests").
SLOW_TESTS = (
    "tests/test_deployment.py",
    "tests/test_api_fuzz.py",
    "tests/anonymity/test_access_log.py",
    "tests/surveys/test_email_queue.py",
    "tests/surveys/test_hygiene.py::test_the_broker_carries",
    "tests/surveys/test_schedule_properties.py::test_ticking_every_ten_minutes",
)


def imported_names(module: object) -> set[str]:
    names = set()
    for value in vars(module).values():
        defined_in = getattr(value, "__module__", None)
        own_name = getattr(value, "__name__", "")
        origin = defined_in or own_name
        names.add(origin.split(".")[0])
        names.add(f"{origin}.{getattr(value, '__qualname__', '')}")
    return names


def uses_database(item: pytest.Item) -> bool:
    database_fixtures = {"db", "transactional_db", "django_db_setup", "live_server"}
    return bool(item.get_closest_marker("django_db")) or bool(
        database_fixtures & set(getattr(item, "fixturenames", ()))
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        marks: set[str] = set()
        for fixture in getattr(item, "fixturenames", ()):
            marks.update(MARKS_OF_FIXTURE.get(fixture, ()))
        module = getattr(item, "module", None)
        if module is not None:
            names = imported_names(module)
            for name, module_marks in MARKS_OF_IMPORT.items():
                if name in names:
                    marks.update(module_marks)
        if item.nodeid.startswith(SLOW_TESTS):
            marks.add("slow")
        if item.get_closest_marker("rabbitmq"):
            marks.add("slow")
        # Hypothesis tests that never touch the database give the same answer on every
        # database: scripts/test runs them once, with SQLite.
        function = getattr(item, "obj", None)
        if getattr(function, "is_hypothesis_test", False) and not uses_database(item):
            marks.add("pure_property")
        for mark in sorted(marks):
            item.add_marker(mark)


@pytest.fixture
def hr(db: None) -> APIClient:
    """An API client signed in as Hannah, an HR admin from outside the org chart of the test
    (so that she reads the results of the surveys that close)."""
    hannah = outside_hr_login("hannah", "hannah@example.com")
    client = APIClient()
    client.force_authenticate(hannah)
    return client
