"""Org imports run by a worker, for the org import page and the API: started, watched while
they run, and their outcome kept.

A large org file takes minutes to import, longer than a reverse proxy waits for a response, so
the request only stores the file as a job and queues it (teams.tasks). The worker claims the job
with a conditional update (queued -> running): a message delivered twice (tasks are acks_late)
runs the import once. The import is teams.services.import_org, all or nothing in one
transaction, and the job's outcome is written in that same transaction: a job is "done" exactly
when its import committed.

While it runs, its progress goes to the cache (Redis), not the database: the import's
transaction is open, its writes invisible to other connections until it commits, and on SQLite a
second writer would wait for it. The outcome (the summary, every problem by line, or why it
failed) is in the database, so it outlives the cache. A job still running after the task's hard
time limit has no worker left (Celery stops a task at that limit, and a worker that died took its
task with it), and is from then on shown as failed. So is a job no worker picked up in that
time (no worker running, or a broker that lost the message): it is given up rather than left
waiting for ever, and a worker that reaches it later finds it over.
"""

import dataclasses
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from teams.import_progress import STAGES, Progress, Stage
from teams.models import OrgImportJob, OrgImportJobState
from teams.org_csv import OrgRow, parse_csv, parse_records
from teams.org_problems import OrgFileInvalid, RowError, check_size, problem_summary
from teams.services import ImportSummary, import_org

logger = logging.getLogger(__name__)

# Each list of changes in a stored summary keeps its first this many (what the page lists).
KEPT_CHANGES = 200
# Finished jobs are deleted this long after they finished.
JOBS_KEPT_FOR = timedelta(days=7)
# After the task's hard time limit, time for its transaction to be rolled back.
ROLLBACK_MARGIN = timedelta(minutes=1)

LOST = (
    "The import stopped before it finished (its worker was stopped or lost); nothing was "
    "changed. Start it again."
)
TOO_LONG = (
    "The import took longer than the task time limit (PULSE_TASK_SOFT_TIME_LIMIT, {limit} s) "
    "and was stopped; nothing was changed."
)
NOT_QUEUED = (
    "The import could not be handed to a worker (the task broker did not answer); nothing was "
    "changed. Try again in a moment."
)
NOT_PICKED_UP = (
    "No worker started the import within {minutes} minutes (is the task worker running?); "
    "nothing was changed. Start it again once a worker runs."
)
BROKE = "The import stopped on an unexpected error ({error}); nothing was changed."
# A queued job not started after this long is said to be waiting unusually long.
SLOW_TO_START = timedelta(minutes=2)
FINISHED = (OrgImportJobState.DONE, OrgImportJobState.INVALID, OrgImportJobState.FAILED)


class JobGivenUp(Exception):
    """The job was marked failed (as lost) while its import still ran: it must not apply."""


@dataclass(frozen=True)
class JobProgress:
    stage: Stage
    done: int
    total: int


def progress_key(job_id: int) -> str:
    return f"org-import-job:{job_id}:progress"


def lost_after() -> timedelta:
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT) + ROLLBACK_MARGIN


# --- Starting -----------------------------------------------------------------------------


def start_org_import(
    *,
    user: User,
    file_name: str,
    data: bytes,
    deactivate_missing: bool,
    dry_run: bool,
    is_json: bool = False,
) -> OrgImportJob:
    """Store `data` as a job and queue it once this transaction commits."""
    check_size(len(data))
    now = timezone.now()
    OrgImportJob.objects.filter(finished_at__lt=now - JOBS_KEPT_FOR).delete()
    job = OrgImportJob.objects.create(
        user=user,
        file_name=file_name[:200],
        data=data,
        is_json=is_json,
        deactivate_missing=deactivate_missing,
        dry_run=dry_run,
        created_at=now,
    )
    queue_after_commit(job.pk)
    return job


def queue_after_commit(job_id: int) -> None:
    # After commit: a worker that picks the message up must find the job.
    transaction.on_commit(partial(queue, job_id))


def queue(job_id: int) -> None:
    from teams.tasks import run_org_import  # here: teams.tasks imports this module

    try:
        run_org_import.delay(job_id)
    except Exception as error:
        # The broker is unreachable: say so now, rather than leave the job queued for ever.
        logger.error("org import job %s could not be queued: %s", job_id, type(error).__name__)
        OrgImportJob.objects.filter(pk=job_id, state=OrgImportJobState.QUEUED).update(
            state=OrgImportJobState.FAILED,
            failure=NOT_QUEUED,
            finished_at=timezone.now(),
            data=b"",
        )


# --- Running (the worker) -----------------------------------------------------------------


def run_job(*, job_id: int) -> None:
    """Run a queued job to its outcome. A job that is not queued (already run, or being run by
    another delivery of the same message) is left alone."""
    started = timezone.now()
    claimed = OrgImportJob.objects.filter(pk=job_id, state=OrgImportJobState.QUEUED).update(
        state=OrgImportJobState.RUNNING, started_at=started
    )
    if claimed != 1:
        return
    job = OrgImportJob.objects.get(pk=job_id)
    report = partial(write_progress, job_id)
    try:
        with transaction.atomic():
            summary = import_org(
                rows=rows_of(job, report),
                deactivate_missing=job.deactivate_missing,
                dry_run=job.dry_run,
                actor=job.user,
                progress=report,
            )
            # In the import's transaction: "done" is stored exactly when the import commits.
            if not finish(job, OrgImportJobState.DONE, summary=summary_record(summary)):
                raise JobGivenUp
    except OrgFileInvalid as invalid:
        finish(
            job,
            OrgImportJobState.INVALID,
            problems=[dataclasses.asdict(problem) for problem in invalid.errors],
            problem_count=invalid.count,
        )
    except JobGivenUp:
        pass  # already failed, and nothing was applied
    except SoftTimeLimitExceeded:
        finish(
            job,
            OrgImportJobState.FAILED,
            failure=TOO_LONG.format(limit=settings.CELERY_TASK_SOFT_TIME_LIMIT),
        )
    except Exception as error:
        # By id and type only: a database error's message can quote a value from the file.
        logger.error("org import job %s failed: %s", job_id, type(error).__name__)
        finish(job, OrgImportJobState.FAILED, failure=BROKE.format(error=type(error).__name__))
    finally:
        cache.delete(progress_key(job_id))


def rows_of(job: OrgImportJob, report: Progress) -> list[OrgRow]:
    data = bytes(job.data)
    if not job.is_json:
        return parse_csv(data, progress=report)
    people = json.loads(data)
    report("read", len(people), len(people))
    return parse_records(people)


def finish(job: OrgImportJob, state: OrgImportJobState, **outcome: Any) -> bool:
    """Store the outcome of a running job and let its file go; False if it was given up."""
    return (
        OrgImportJob.objects.filter(pk=job.pk, state=OrgImportJobState.RUNNING).update(
            state=state, finished_at=timezone.now(), data=b"", **outcome
        )
        == 1
    )


def write_progress(job_id: int, stage: Stage, done: int, total: int) -> None:
    # Kept a little longer than a job can run; deleted when it ends.
    cache.set(
        progress_key(job_id),
        {"stage": stage, "done": done, "total": total},
        timeout=int(lost_after().total_seconds()),
    )


def summary_record(summary: ImportSummary) -> dict[str, Any]:
    """The summary as stored: the counts, and the first KEPT_CHANGES changes of each kind
    with how many there are (a million people created need not be kept one by one)."""
    changes = summary.changes
    return {
        "created": summary.created,
        "updated": summary.updated,
        "unchanged": summary.unchanged,
        "deactivated": summary.deactivated,
        "teams": summary.teams,
        "dry_run": summary.dry_run,
        "changes": {
            name: {
                "count": len(items),
                "first": [stored_change(item) for item in items[:KEPT_CHANGES]],
            }
            for name in changes.__dataclass_fields__
            for items in [getattr(changes, name)]
        },
    }


def stored_change(item: object) -> object:
    """A change as JSON: a person's or a rename's fields, or a team's name."""
    if dataclasses.is_dataclass(item) and not isinstance(item, type):
        return dataclasses.asdict(item)
    return item


# --- Watching -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeList:
    first: list[Any]
    count: int

    @property
    def more(self) -> int:
        return self.count - len(self.first)


@dataclass(frozen=True)
class JobStatus:
    """What a job's watcher sees: its state, its progress while it runs, then its outcome."""

    job: OrgImportJob
    progress: JobProgress | None

    @property
    def state(self) -> str:
        return self.job.state

    @property
    def finished(self) -> bool:
        return self.job.state in FINISHED

    @property
    def summary(self) -> dict[str, Any] | None:
        return self.job.summary if self.job.state == OrgImportJobState.DONE else None

    @property
    def changes(self) -> dict[str, ChangeList]:
        stored = (self.summary or {}).get("changes", {})
        return {name: ChangeList(**value) for name, value in stored.items()}

    @property
    def nothing_changes(self) -> bool:
        return not any(change.count for change in self.changes.values())

    @property
    def problems(self) -> list[RowError]:
        if self.job.state != OrgImportJobState.INVALID:
            return []
        return [RowError(**problem) for problem in self.job.problems or []]

    @property
    def problem_summary(self) -> str:
        return problem_summary(self.job.problem_count, listed=len(self.problems))

    @property
    def finished_at(self) -> datetime | None:
        return self.job.finished_at

    @property
    def slow_to_start(self) -> bool:
        """Queued for longer than a worker usually takes to pick a job up."""
        return (
            self.job.state == OrgImportJobState.QUEUED
            and self.job.created_at < timezone.now() - SLOW_TO_START
        )


def job_status(job: OrgImportJob) -> JobStatus:
    """The job as it is now: a running job past the time any worker could still be on it is
    marked failed first."""
    lost_if_started_before = timezone.now() - lost_after()
    started_at = job.started_at or lost_if_started_before
    if job.state == OrgImportJobState.RUNNING and started_at < lost_if_started_before:
        give_up(job)
        job.refresh_from_db()
    if job.state == OrgImportJobState.QUEUED and job.created_at < lost_if_started_before:
        give_up_waiting(job)
        job.refresh_from_db()
    progress = None
    if job.state == OrgImportJobState.RUNNING:
        stored = cache.get(progress_key(job.pk))
        if isinstance(stored, dict) and stored.get("stage") in STAGES:
            progress = JobProgress(**stored)
    return JobStatus(job=job, progress=progress)


def give_up_waiting(job: OrgImportJob) -> None:
    minutes = int(lost_after().total_seconds() // 60)
    OrgImportJob.objects.filter(pk=job.pk, state=OrgImportJobState.QUEUED).update(
        state=OrgImportJobState.FAILED,
        failure=NOT_PICKED_UP.format(minutes=minutes),
        finished_at=timezone.now(),
        data=b"",
    )


def give_up(job: OrgImportJob) -> None:
    OrgImportJob.objects.filter(
        pk=job.pk, state=OrgImportJobState.RUNNING, started_at=job.started_at
    ).update(state=OrgImportJobState.FAILED, failure=LOST, finished_at=timezone.now(), data=b"")
