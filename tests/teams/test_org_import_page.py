"""HR imports a changed org chart on the org import page: Hannah uploads the file, sees every
problem by line and column, uploads the fixed file, reads exactly what would change, and applies
it or cancels. The file is uploaded once: applying uses the copy held since the preview. Checking
and applying run as jobs (a worker's, here the test's `import_jobs.run_all()`), and the page
shows each job's outcome once it has run.

The org before: Ada leads the company; Grace (team Platform) and Linus report to her; Margaret
works for Grace."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from teams.models import (
    AuditAction,
    AuditEvent,
    HeldOrgFile,
    OrgImportJob,
    OrgImportJobState,
    Person,
    Team,
)
from teams.org_csv import parse_csv
from teams.org_jobs import write_progress
from teams.roles import ensure_hr_group
from teams.services import import_org
from tests.teams.test_org_import import GOOD, database_state
from tests.test_csp import refusals

pytestmark = pytest.mark.django_db

# Niklaus joins under Grace, Margaret moves to Linus (so Linus now leads a team), Grace's team
# gets a new name, and Linus's email changes.
CHANGED = """employee_id,email,name,manager_id,team
A1,ada@example.com,Ada Lovelace,,Company
G2,grace@example.com,Grace Hopper,A1,Core Platform
L3,linus.t@example.com,Linus Torvalds,A1,
M4,margaret@example.com,Margaret Hamilton,L3,
N5,niklaus@example.com,Niklaus Wirth,G2,
"""
ONE_BAD_LINE = CHANGED.replace("niklaus@example.com", "niklaus-at-example.com")


@pytest.fixture
def hannah(import_jobs) -> Client:
    import_org(rows=parse_csv(GOOD.encode()))
    user = User.objects.create_user("hannah", "hannah@example.com", "pw")
    user.groups.add(ensure_hr_group())
    client = Client()
    client.force_login(user)
    client.jobs = import_jobs  # type: ignore[attr-defined]
    return client


def upload(client: Client, text: str, *, deactivate_missing: bool = False):
    """Upload `text`, and let the worker check it: the page then shows the outcome."""
    data: dict[str, object] = {
        "file": SimpleUploadedFile("people.csv", text.encode(), content_type="text/csv")
    }
    if deactivate_missing:
        data["deactivate_missing"] = "on"
    response = client.post("/hr/org/import/", data)
    if hasattr(client, "jobs"):
        client.jobs.run_all()
    return response


def apply(client: Client):
    response = client.post("/hr/org/import/apply/")
    client.jobs.run_all()  # type: ignore[attr-defined]
    return client.get(response["Location"])


def test_a_file_with_one_bad_line_shows_its_line_column_and_reason_and_changes_nothing(
    hannah,
) -> None:
    before = database_state()
    response = upload(hannah, ONE_BAD_LINE)
    assert response.status_code == 302
    page = hannah.get(response["Location"]).content.decode()
    assert "<td>6</td><td>email</td>" in page
    assert "&quot;niklaus-at-example.com&quot; is not a valid email address" in page
    assert "nothing was changed" in page
    assert "Upload the corrected file" in page
    assert "Apply these changes" not in page
    # A file with problems cannot be applied, even by posting to apply.
    assert apply(hannah).status_code == 200
    assert database_state() == before


def test_while_the_file_is_checked_the_page_says_how_far_and_refreshes_itself(hannah) -> None:
    hannah.post(
        "/hr/org/import/",
        {"file": SimpleUploadedFile("people.csv", CHANGED.encode(), content_type="text/csv")},
    )
    response = hannah.get("/hr/org/import/")
    assert "Checking people.csv: waiting for a worker to start." in response.content.decode()
    assert response["Refresh"] == "2"
    assert "Apply these changes" not in response.content.decode()
    hannah.jobs.run_all()
    response = hannah.get("/hr/org/import/")
    assert "Preview of “people.csv”" in response.content.decode()
    assert not response.has_header("Refresh")


def test_a_check_no_worker_starts_says_so_then_gives_up_with_nothing_changed(
    hannah, settings
) -> None:
    hannah.post(
        "/hr/org/import/",
        {"file": SimpleUploadedFile("people.csv", CHANGED.encode(), content_type="text/csv")},
    )
    queued_at = timezone.now() - timedelta(minutes=3)
    OrgImportJob.objects.update(created_at=queued_at)
    page = hannah.get("/hr/org/import/").content.decode()
    assert (
        "Checking people.csv: still waiting for a worker to start, queued at "
        f"{timezone.localtime(queued_at):%H:%M}. If this lasts, the task worker may not be "
        "running: tell whoever runs Pulse."
    ) in page

    long_ago = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120)
    OrgImportJob.objects.update(created_at=timezone.now() - long_ago)
    response = hannah.get("/hr/org/import/")
    assert "No worker started the import within" in response.content.decode()
    assert "nothing was changed" in response.content.decode()
    assert not response.has_header("Refresh")
    # A worker that comes up later finds the job over and applies nothing.
    before = database_state()
    hannah.jobs.run_all()
    assert database_state() == before
    assert OrgImportJob.objects.get().state == OrgImportJobState.FAILED


def test_the_fixed_file_previews_exactly_what_changes_and_changes_nothing_yet(hannah) -> None:
    before = database_state()
    response = upload(hannah, CHANGED)
    assert response.status_code == 302
    page = hannah.get(response["Location"]).content.decode()
    assert database_state() == before
    # The preview is the stored outcome of the one dry run: showing it again runs nothing.
    jobs = OrgImportJob.objects.count()
    assert "1 person created, 2 updated" in hannah.get("/hr/org/import/").content.decode()
    assert OrgImportJob.objects.count() == jobs and not hannah.jobs.queued
    assert "1 person created, 2 updated, 2 unchanged, 0 deactivated" in page
    created = page.split('id="created-heading"')[1].split("</section>")[0]
    assert "Niklaus Wirth" in created and "Margaret" not in created
    updated = page.split('id="updated-heading"')[1].split("</section>")[0]
    assert 'Linus Torvalds <span class="meta">(L3)</span>: email' in updated
    assert 'Margaret Hamilton <span class="meta">(M4)</span>: manager' in updated
    managers = page.split('id="managers-heading"')[1].split("</section>")[0]
    assert "Margaret Hamilton" in managers and "Grace Hopper → Linus Torvalds" in managers
    assert "Linus Torvalds&#x27;s team" in page.split('id="teams-created-heading"')[1]
    assert "Platform → Core Platform" in page.split('id="teams-renamed-heading"')[1]
    assert 'id="deactivated-heading"' not in page
    assert "Apply these changes" in page


def test_apply_applies_the_previewed_file_without_uploading_it_again(hannah) -> None:
    upload(hannah, CHANGED)
    response = apply(hannah)
    assert response.status_code == 200
    assert "The org chart was updated." in response.content.decode()
    assert (
        Person.objects.values_list("manager__employee_id", flat=True).get(employee_id="M4") == "L3"
    )
    assert Person.objects.get(employee_id="L3").email == "linus.t@example.com"
    assert Person.objects.filter(employee_id="N5").exists()
    assert set(Team.objects.values_list("name", flat=True)) == {
        "Company",
        "Core Platform",
        "Linus Torvalds's team",
    }
    assert not HeldOrgFile.objects.exists()
    # The audit log names the HR admin who applied it, not the command line.
    assert AuditEvent.objects.filter(
        action=AuditAction.ORG_IMPORTED, actor__username="hannah"
    ).exists()


def test_cancel_changes_nothing_and_forgets_the_file(hannah) -> None:
    before = database_state()
    upload(hannah, CHANGED, deactivate_missing=True)
    response = hannah.post("/hr/org/import/cancel/", follow=True)
    assert "The import was cancelled; nothing was changed." in response.content.decode()
    assert database_state() == before
    assert not HeldOrgFile.objects.exists()
    assert hannah.post("/hr/org/import/apply/").status_code == 302  # nothing left to apply
    assert not hannah.jobs.queued
    assert database_state() == before


def test_deactivating_people_missing_from_the_file_is_previewed_and_applied_only_when_ticked(
    hannah,
) -> None:
    without_margaret = "".join(line for line in GOOD.splitlines(True) if "M4" not in line)
    upload(hannah, without_margaret)
    page = hannah.get("/hr/org/import/").content.decode()
    assert "0 deactivated" in page
    hannah.post("/hr/org/import/options/", {"deactivate_missing": "on"})
    hannah.jobs.run_all()
    page = hannah.get("/hr/org/import/").content.decode()
    deactivated = page.split('id="deactivated-heading"')[1].split("</section>")[0]
    assert "Margaret Hamilton" in deactivated
    assert Person.objects.get(employee_id="M4").active
    apply(hannah)
    assert not Person.objects.get(employee_id="M4").active


def test_a_file_that_stopped_fitting_since_the_preview_applies_nothing_and_says_why(
    hannah,
) -> None:
    upload(hannah, CHANGED)
    # Meanwhile someone outside the file takes Niklaus's address.
    Person.objects.create(employee_id="X9", email="niklaus@example.com", name="Someone Else")
    before = database_state()
    response = apply(hannah)
    assert "belongs to employee &quot;X9&quot;" in response.content.decode()
    assert database_state() == before
    assert HeldOrgFile.objects.exists()


def test_people_who_are_not_hr_get_no_org_import_page(hannah) -> None:
    grace = User.objects.create_user("grace", "grace@example.com", "pw")
    client = Client()
    client.force_login(grace)
    assert client.get("/hr/org/import/").status_code == 404
    assert upload(client, CHANGED).status_code == 404


def test_every_state_of_the_page_needs_no_inline_code(hannah) -> None:
    states = [hannah.get("/hr/org/import/")]
    states.append(hannah.get(upload(hannah, ONE_BAD_LINE)["Location"]))
    hannah.post(
        "/hr/org/import/",
        {"file": SimpleUploadedFile("people.csv", CHANGED.encode(), content_type="text/csv")},
    )
    states.append(hannah.get("/hr/org/import/"))  # being checked
    hannah.jobs.run_all()
    states.append(hannah.get("/hr/org/import/"))  # the preview
    hannah.post("/hr/org/import/apply/")
    states.append(hannah.get("/hr/org/import/"))  # being applied
    hannah.jobs.run_all()
    states.append(hannah.get("/hr/org/import/"))  # applied
    upload(hannah, CHANGED)
    states.append(hannah.post("/hr/org/import/cancel/", follow=True))
    for response in states:
        assert "default-src 'self'" in response["Content-Security-Policy"]
        assert refusals(response.content.decode()) == []


def test_the_page_says_how_many_rows_the_worker_has_read_checked_and_applied(hannah) -> None:
    hannah.post(
        "/hr/org/import/",
        {"file": SimpleUploadedFile("org.csv", CHANGED.encode(), content_type="text/csv")},
    )
    job = OrgImportJob.objects.get()
    OrgImportJob.objects.filter(pk=job.pk).update(
        state=OrgImportJobState.RUNNING, started_at=timezone.now()
    )
    write_progress(job.pk, "read", 12000, 58000)
    page = hannah.get("/hr/org/import/").content.decode()
    assert "Checking org.csv: 12,000 of 58,000 rows read" in page
    assert 'value="12000" max="58000">' in page
    write_progress(job.pk, "checked", 30000, 58000)
    assert "30,000 of 58,000 rows checked" in hannah.get("/hr/org/import/").content.decode()

    hannah.jobs.queued.clear()
    OrgImportJob.objects.filter(pk=job.pk).update(state=OrgImportJobState.DONE, summary={})
    hannah.post("/hr/org/import/apply/")
    applying = OrgImportJob.objects.get(dry_run=False)
    OrgImportJob.objects.filter(pk=applying.pk).update(
        state=OrgImportJobState.RUNNING, started_at=timezone.now()
    )
    write_progress(applying.pk, "applied", 30000, 58000)
    page = hannah.get("/hr/org/import/").content.decode()
    assert "Applying: 30,000 of 58,000 people" in page
    assert "Cancel" not in page  # an import being applied cannot be taken back
    hannah.post("/hr/org/import/cancel/")
    assert HeldOrgFile.objects.exists()


def test_a_check_whose_worker_died_shows_as_failed_and_the_file_can_be_sent_again(
    hannah, settings
) -> None:
    hannah.post(
        "/hr/org/import/",
        {"file": SimpleUploadedFile("org.csv", CHANGED.encode(), content_type="text/csv")},
    )
    lost_at = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120)
    OrgImportJob.objects.update(state=OrgImportJobState.RUNNING, started_at=lost_at)
    response = hannah.get("/hr/org/import/")
    page = response.content.decode()
    assert "“org.csv” was not imported" in page
    assert "The import stopped before it finished (its worker was stopped or lost)" in page
    assert "Upload an org file" in page
    assert not response.has_header("Refresh")
