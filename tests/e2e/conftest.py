"""A real browser for the tests in this folder: Debian's chromium, driven by Playwright."""

import os
import shutil

import pytest
from django.db import connections

from tests.support.import_jobs import run_at_once_after_commit

CHROMIUM = os.environ.get("PULSE_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(autouse=True)
def org_import_jobs_run_after_each_request(monkeypatch):
    """No worker runs beside the live server: an org import job the pages start runs as soon
    as the request that started it has committed, so the pages show its outcome next."""
    run_at_once_after_commit(monkeypatch)


@pytest.fixture
def browser(monkeypatch):
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (scripts/test installs it)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; the test's own ORM
    # calls are still plain synchronous code, which Django must be told.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        yield chromium
        # While Playwright's event loop runs in this thread, Django keeps this thread's
        # database connections apart from the ones it uses once the loop is gone (asgiref's
        # per-context storage): close the test's own here, or the open connection outlives
        # the test and PostgreSQL refuses to drop the test database at the end of the run.
        connections.close_all()
        chromium.close()
