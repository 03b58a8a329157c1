"""A large org import runs as a job: Hannah (HR) sends the file, gets the job's address at once,
and reads its progress, then its outcome. The import is still all or nothing, a message
delivered twice imports once, and a job whose worker is gone is reported as failed, not running
for ever."""

import threading
import time
from datetime import timedelta
from io import StringIO

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from teams import org_jobs
from teams.models import AuditAction, AuditEvent, OrgImportJob, OrgImportJobState, Person
from teams.org_jobs import LOST, job_status, run_job
from teams.tasks import run_org_import
from tests.teams.test_org_import import GOOD

pytestmark = pytest.mark.django_db


def org_file(people: int, *, bad_email_on_line: int | None = None) -> str:
    """`people` people: the top one, everyone else reporting to them. Line 2 is the top."""
    lines = ["employee_id,email,name,manager_id,team", "E1,e1@example.com,Top Person,,Company"]
    for number in range(2, people + 1):
        email = f"e{number}@example.com"
        if number + 1 == bad_email_on_line:
            email = "not-an-address"
        lines.append(f"E{number},{email},Person {number},E1,")
    return "\n".join(lines) + "\n"


def start_job(hr, text: str, query: str = ""):
    upload = SimpleUploadedFile("people.csv", text.encode(), content_type="text/csv")
    return hr.post(f"/api/v1/org/import/jobs{query}", {"file": upload}, format="multipart")


def test_hr_starts_a_job_and_reads_its_summary_once_a_worker_has_run_it(hr, import_jobs) -> None:
    response = start_job(hr, GOOD)
    assert response.status_code == 202, response.content
    job = response.json()
    assert response["Location"] == job["url"]
    assert job["state"] == "queued"
    assert (job["summary"], job["error"], job["progress"]) == (None, None, None)
    assert not Person.objects.exists()

    import_jobs.run_all()
    finished = hr.get(job["url"]).json()
    assert finished["state"] == "done"
    assert finished["summary"] == {
        "created": 4,
        "updated": 0,
        "unchanged": 0,
        "deactivated": 0,
        "teams": 2,
        "dry_run": False,
    }
    assert finished["finished_at"] is not None
    assert Person.objects.count() == 4
    # The login that started the job is the one the audit log names.
    assert AuditEvent.objects.filter(
        action=AuditAction.ORG_IMPORTED, actor__username="hannah"
    ).exists()


def test_a_dry_run_job_counts_and_changes_nothing(hr, import_jobs) -> None:
    job = start_job(hr, GOOD, "?dry_run=true").json()
    import_jobs.run_all()
    finished = hr.get(job["url"]).json()
    assert finished["state"] == "done" and finished["summary"]["dry_run"] is True
    assert finished["summary"]["created"] == 4
    assert not Person.objects.exists()


def test_a_bad_line_is_reported_by_line_column_and_reason_in_the_api_error_body(
    hr, import_jobs
) -> None:
    bad = GOOD.replace("grace@example.com", "grace@") + "X9,x@example.com,X,NOBODY,\n"
    job = start_job(hr, bad).json()
    import_jobs.run_all()
    finished = hr.get(job["url"]).json()
    assert finished["state"] == "invalid"
    assert finished["summary"] is None
    error = finished["error"]
    assert error["code"] == "invalid_org_file"
    assert error["message"].startswith("The org file has 2 problems; nothing was imported.")
    assert error["rows"] == [
        {"line": 3, "column": "email", "message": '"grace@" is not a valid email address'},
        {
            "line": 6,
            "column": "manager_id",
            "message": '"NOBODY" is not an employee_id in this file',
        },
    ]
    assert error["problems"] == 2
    assert not Person.objects.exists()


def test_json_people_can_be_sent_as_a_job_too(hr, import_jobs) -> None:
    people = [
        {"employee_id": "A1", "email": "ada@example.com", "name": "Ada", "manager_id": None},
        {"employee_id": "G2", "email": "grace@example.com", "name": "Grace", "manager_id": "A1"},
    ]
    job = hr.post("/api/v1/org/import/jobs", {"people": people}, format="json").json()
    import_jobs.run_all()
    assert hr.get(job["url"]).json()["summary"]["created"] == 2


def test_an_empty_request_says_what_to_send_and_starts_nothing(hr, import_jobs) -> None:
    response = hr.post("/api/v1/org/import/jobs", {}, format="multipart")
    assert response.status_code == 400
    assert "send a CSV file" in response.json()["rows"][0]["message"]
    assert not OrgImportJob.objects.exists() and not import_jobs.queued


def test_a_job_delivered_twice_imports_once(hr, import_jobs) -> None:
    job = start_job(hr, GOOD).json()
    job_id = import_jobs.queued[0]
    run_org_import(job_id)
    run_org_import(job_id)  # the broker's second delivery (acks_late)
    assert AuditEvent.objects.filter(action=AuditAction.ORG_IMPORTED).count() == 1
    assert Person.objects.count() == 4
    assert hr.get(job["url"]).json()["state"] == "done"


def test_a_second_delivery_while_the_first_still_runs_leaves_the_job_alone(hr, import_jobs) -> None:
    start_job(hr, GOOD)
    job = OrgImportJob.objects.get()
    OrgImportJob.objects.filter(pk=job.pk).update(
        state=OrgImportJobState.RUNNING, started_at=timezone.now()
    )
    run_org_import(job.pk)
    job.refresh_from_db()
    assert job.state == OrgImportJobState.RUNNING
    assert not Person.objects.exists()


def test_a_job_whose_worker_died_is_shown_as_failed_with_a_clear_message(
    hr, import_jobs, settings
) -> None:
    start_job(hr, GOOD)
    job = OrgImportJob.objects.get()
    # Claimed by a worker that died: it has been "running" longer than any task may run.
    OrgImportJob.objects.filter(pk=job.pk).update(
        state=OrgImportJobState.RUNNING,
        started_at=timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120),
    )
    body = hr.get(f"/api/v1/org/import/jobs/{job.pk}").json()
    assert body["state"] == "failed"
    assert body["error"] == {"code": "import_failed", "message": LOST, "fields": {}}
    assert "nothing was changed" in LOST
    # The broker delivers the dead worker's message again: it finds the job over.
    run_org_import(job.pk)
    assert not Person.objects.exists()


def test_a_job_no_worker_picks_up_is_given_up_instead_of_queued_for_ever(
    hr, import_jobs, settings
) -> None:
    start_job(hr, GOOD)
    job = OrgImportJob.objects.get()
    assert hr.get(f"/api/v1/org/import/jobs/{job.pk}").json()["state"] == "queued"
    long_ago = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120)
    OrgImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - long_ago)
    body = hr.get(f"/api/v1/org/import/jobs/{job.pk}").json()
    assert body["state"] == "failed"
    assert body["error"]["code"] == "import_failed"
    assert body["error"]["message"].startswith("No worker started the import within")
    run_org_import(job.pk)  # the message reaches a worker at last: too late, nothing applies
    assert not Person.objects.exists()


def test_a_job_still_within_the_time_a_worker_may_take_is_running(hr, import_jobs) -> None:
    start_job(hr, GOOD)
    job = OrgImportJob.objects.get()
    OrgImportJob.objects.filter(pk=job.pk).update(
        state=OrgImportJobState.RUNNING, started_at=timezone.now() - timedelta(minutes=5)
    )
    assert hr.get(f"/api/v1/org/import/jobs/{job.pk}").json()["state"] == "running"


def test_a_failure_late_in_the_file_applies_nothing(hr, import_jobs, monkeypatch) -> None:
    """The worker's time runs out while the last people are written: the earlier rows were
    written too, in the same transaction, and all of them are rolled back."""
    monkeypatch.setattr("teams.services.REPORT_EVERY", 10)
    real_report = org_jobs.write_progress
    applied_so_far: list[int] = []

    def time_runs_out_near_the_end(job_id, stage, done, total) -> None:
        real_report(job_id, stage, done, total)
        if stage == "applied":
            applied_so_far.append(done)
            if done >= total - 10:
                raise SoftTimeLimitExceeded()

    monkeypatch.setattr(org_jobs, "write_progress", time_runs_out_near_the_end)
    job = start_job(hr, org_file(60)).json()
    import_jobs.run_all()
    # The top person, then her reports ten at a time: 51 of 60 were written when it stopped.
    assert applied_so_far == [11, 21, 31, 41, 51]
    body = hr.get(job["url"]).json()
    assert body["state"] == "failed"
    assert "took longer than the task time limit" in body["error"]["message"]
    assert not Person.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.ORG_IMPORTED).exists()


def test_only_hr_starts_or_reads_jobs(db, hr, import_jobs) -> None:
    from django.contrib.auth.models import User
    from rest_framework.test import APIClient

    job = start_job(hr, GOOD).json()
    grace = APIClient()
    grace.force_authenticate(User.objects.create_user("grace", "grace@example.com", "pw"))
    assert start_job(grace, GOOD).status_code == 403
    assert grace.get(job["url"]).status_code == 403
    assert hr.get("/api/v1/org/import/jobs/999999").status_code == 404


def test_the_api_docs_describe_the_job_with_a_real_file_field(hr) -> None:
    schema = hr.get("/api/schema/", {"format": "json"}).json()
    start = schema["paths"]["/api/v1/org/import/jobs/"]["post"]
    upload = start["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert upload["properties"]["file"]["format"] == "binary"
    assert "202" in start["responses"]
    assert "/api/v1/org/import/jobs/{job_id}/" in schema["paths"]
    sync = schema["paths"]["/api/v1/org/import/"]["post"]
    assert "/api/v1/org/import/jobs" in sync["description"]


def test_the_command_prints_how_far_a_large_file_has_got(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr("teams.org_csv.REPORT_EVERY", 20)
    path = tmp_path / "people.csv"
    path.write_text(org_file(50))
    out = StringIO()
    call_command("import_org", str(path), stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[:2] == ["20 of 50 rows read", "40 of 50 rows read"]
    assert "20 of 50 rows checked" in lines
    assert lines[-1].startswith("Imported: 50 created")


@pytest.mark.django_db(transaction=True)
def test_progress_is_readable_by_another_connection_while_the_import_is_uncommitted(
    hr, import_jobs, monkeypatch
) -> None:
    """The worker pauses after writing its first people, inside its open transaction; Hannah's
    request, on another connection, reads how far it has got, and sees nobody imported yet."""
    monkeypatch.setattr("teams.services.REPORT_EVERY", 10)
    real_report = org_jobs.write_progress
    first_people_written, may_go_on = threading.Event(), threading.Event()

    def pause_after_the_first_people(job_id, stage, done, total) -> None:
        real_report(job_id, stage, done, total)
        if stage == "applied" and not first_people_written.is_set():
            first_people_written.set()
            assert may_go_on.wait(timeout=30)

    monkeypatch.setattr(org_jobs, "write_progress", pause_after_the_first_people)
    job = start_job(hr, org_file(30)).json()
    job_id = import_jobs.queued.pop()

    def worker() -> None:
        try:
            run_job(job_id=job_id)
        finally:
            connection.close()

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert first_people_written.wait(timeout=30)
        seen = hr.get(job["url"]).json()
        assert seen["state"] == "running"
        assert seen["progress"] == {"stage": "applied", "done": 11, "total": 30}
        assert not Person.objects.exists()  # written, but not committed
    finally:
        may_go_on.set()
        thread.join(timeout=60)
    assert hr.get(job["url"]).json()["state"] == "done"
    assert Person.objects.count() == 30
    assert job_status(OrgImportJob.objects.get(pk=job_id)).progress is None


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_job_the_api_started(hr, celery_worker_process) -> None:
    upload = SimpleUploadedFile("people.csv", GOOD.encode(), content_type="text/csv")
    job = hr.post("/api/v1/org/import/jobs", {"file": upload}, format="multipart").json()
    deadline = time.monotonic() + 60
    body = hr.get(job["url"]).json()
    while body["state"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.2)
        body = hr.get(job["url"]).json()
    assert body["state"] == "done", celery_worker_process.log_path.read_text(errors="replace")
    assert body["summary"]["created"] == 4
    assert Person.objects.count() == 4


def test_a_job_that_cannot_be_handed_to_a_worker_says_so_instead_of_waiting_for_ever(
    hr, import_jobs, monkeypatch
) -> None:
    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(run_org_import, "delay", broker_down)
    job = start_job(hr, GOOD).json()
    org_jobs.queue(import_jobs.queued.pop())  # what the commit of the request would do
    body = hr.get(job["url"]).json()
    assert body["state"] == "failed"
    assert body["error"]["message"].startswith("The import could not be handed to a worker")
    assert not Person.objects.exists()
