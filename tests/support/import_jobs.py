"""Org import jobs in tests without a worker: the code under test queues them as it does in
production, and the test runs them, with the task itself, when it says (or at once)."""

import pytest

from teams.tasks import run_org_import


class QueuedImportJobs:
    """Jobs queued since the test began, not yet run."""

    def __init__(self) -> None:
        self.queued: list[int] = []

    def queue(self, job_id: int) -> None:
        self.queued.append(job_id)

    def run_all(self) -> None:
        """Deliver every queued job's message to the task, in order, as one worker would."""
        while self.queued:
            run_org_import(self.queued.pop(0))


def queue_for_the_test(monkeypatch: pytest.MonkeyPatch) -> QueuedImportJobs:
    jobs = QueuedImportJobs()
    # In place of "queue once this transaction commits": a test's own transaction never does.
    monkeypatch.setattr("teams.org_jobs.queue_after_commit", jobs.queue)
    return jobs


def run_at_once_after_commit(monkeypatch: pytest.MonkeyPatch) -> None:
    """For tests whose transactions really commit (a live server): each job runs, by the task,
    as soon as the request that started it has committed."""
    monkeypatch.setattr("teams.org_jobs.queue", run_org_import)
