"""HR's org import page: upload a CSV, preview what it changes, then apply or cancel.

The page uses the import the API and `import_org` use (teams.services.import_org), run by a
worker as a job (teams.org_jobs): uploading starts a dry run, applying starts the import, and
while either runs the page shows its progress and refreshes itself (a Refresh header: no
script). The preview, the problems and the applied summary are read from the job's stored
outcome, never computed again on a GET. The file is held server-side between preview and apply
(teams.org_uploads), so it is uploaded once.
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from teams.models import HeldOrgFile, OrgImportJobState
from teams.org_csv import EXPECTED
from teams.org_jobs import JobStatus, job_status
from teams.org_problems import OrgFileTooLarge, check_size
from teams.org_uploads import (
    apply_org_file,
    discard_org_file,
    held_org_file,
    hold_org_file,
    is_applying,
    let_applied_file_go,
    set_deactivate_missing,
)
from teams.roles import is_hr

# How often the page reloads itself while a job runs.
REFRESH_SECONDS = 2
ROWS_OF_STAGE = {
    "read": "rows read",
    "checked": "rows checked",
    "applied": "rows compared with the org chart",
}


def hr_user(request: HttpRequest) -> User:
    # Anyone else gets the same 404 as for a page that does not exist.
    if not isinstance(request.user, User) or not is_hr(request.user):
        raise Http404("No such page.")
    return request.user


def page(request: HttpRequest, *, status: int = 200, **context: object) -> HttpResponse:
    return render(
        request,
        "teams/org_import.html",
        {"viewer_is_hr": True, "expected_columns": EXPECTED, **context},
        status=status,
    )


@login_required
def org_import_page(request: HttpRequest) -> HttpResponse:
    user = hr_user(request)
    if request.method == "POST":
        return upload(request, user)
    held = held_org_file(user=user)
    if held is None or held.job is None:
        return page(request, cancelled="cancelled" in request.GET)
    return job_page(request, held, job_status(held.job))


def job_page(request: HttpRequest, held: HeldOrgFile, status: JobStatus) -> HttpResponse:
    """The held file as its latest job left it: running, previewed, applied or refused."""
    if not status.finished:
        response = page(
            request,
            held=held,
            running=progress_sentence(held, status),
            progress=status.progress,
            applying=not status.job.dry_run,
        )
        response["Refresh"] = str(REFRESH_SECONDS)
        return response
    if status.state == OrgImportJobState.DONE and status.job.dry_run:
        return page(
            request,
            held=held,
            preview=status.summary,
            changes=status.changes,
            nothing_changes=status.nothing_changes,
        )
    if status.state == OrgImportJobState.DONE:
        let_applied_file_go(held=held)
        return page(request, applied=status.summary)
    if status.state == OrgImportJobState.INVALID:
        # A preview's problems, or an apply's: the org changed since the preview, nothing
        # was applied, and the file is still held.
        return page(
            request, held=held, problems=status.problems, problem_summary=status.problem_summary
        )
    return page(request, held=held, failure=status.job.failure)


def progress_sentence(held: HeldOrgFile, status: JobStatus) -> str:
    verb = "Checking" if status.job.dry_run else "Applying"
    progress = status.progress
    if progress is None:
        waiting = status.state == OrgImportJobState.QUEUED
        if status.slow_to_start:
            return (
                f"{verb} {held.file_name}: still waiting for a worker to start, queued at "
                f"{timezone.localtime(status.job.created_at):%H:%M}. If this lasts, the task "
                "worker may not be running: tell whoever runs Pulse."
            )
        return f"{verb} {held.file_name}: " + (
            "waiting for a worker to start." if waiting else "starting."
        )
    if progress.stage == "applied" and not status.job.dry_run:
        return f"Applying: {progress.done:,} of {progress.total:,} people"
    return (
        f"{verb} {held.file_name}: {progress.done:,} of {progress.total:,} "
        f"{ROWS_OF_STAGE[progress.stage]}"
    )


def upload(request: HttpRequest, user: User) -> HttpResponse:
    deactivate_missing = request.POST.get("deactivate_missing") == "on"
    upload = request.FILES.get("file")
    error_context: dict[str, Any] = {"status": 400, "deactivate_missing": deactivate_missing}
    if upload is None:
        return page(request, upload_error="Choose a CSV file to upload.", **error_context)
    held = held_org_file(user=user)
    if held is not None and is_applying(held):
        return redirect("hr-org-import")  # nothing replaces a file being applied
    try:
        check_size(upload.size or 0)  # before reading it into memory
    except OrgFileTooLarge as too_large:
        return page(request, upload_error=str(too_large), **error_context)
    # The file is checked by the dry run the page then shows; a file with problems is shown
    # with them, and can only be replaced or cancelled.
    hold_org_file(
        user=user,
        file_name=upload.name or "org.csv",
        data=upload.read(),
        deactivate_missing=deactivate_missing,
    )
    return redirect("hr-org-import")


@login_required
@require_POST
def org_import_options(request: HttpRequest) -> HttpResponse:
    held = held_org_file(user=hr_user(request))
    if held is not None and not is_applying(held):
        set_deactivate_missing(
            held=held, deactivate_missing=request.POST.get("deactivate_missing") == "on"
        )
    return redirect("hr-org-import")


@login_required
@require_POST
def org_import_apply(request: HttpRequest) -> HttpResponse:
    held = held_org_file(user=hr_user(request))
    if held is not None:
        apply_org_file(held=held)
    return redirect("hr-org-import")


@login_required
@require_POST
def org_import_cancel(request: HttpRequest) -> HttpResponse:
    if not discard_org_file(user=hr_user(request)):
        return redirect("hr-org-import")  # being applied: the page shows how far it is
    return redirect(reverse("hr-org-import") + "?cancelled")
