"""HR's org import page: upload a CSV, preview what it changes, then apply or cancel.

The page uses the import the API and `import_org` use (teams.services.import_org); the file is
held server-side between preview and apply (teams.org_uploads), so it is uploaded once.
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from teams.org_csv import EXPECTED, parse_csv
from teams.org_problems import OrgFileInvalid, OrgFileTooLarge, check_size
from teams.org_uploads import (
    apply_org_file,
    discard_org_file,
    held_org_file,
    hold_org_file,
    preview_org_file,
    set_deactivate_missing,
)
from teams.roles import is_hr
from teams.services import ImportSummary


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


def invalid_context(invalid: OrgFileInvalid) -> dict[str, Any]:
    return {"problems": invalid.errors, "problem_summary": invalid.summary}


@login_required
def org_import_page(request: HttpRequest) -> HttpResponse:
    user = hr_user(request)
    if request.method == "POST":
        return upload(request, user)
    held = held_org_file(user=user)
    if held is None:
        return page(request, cancelled="cancelled" in request.GET)
    try:
        preview = preview_org_file(held=held)
    except OrgFileInvalid as invalid:
        return page(request, held=held, **invalid_context(invalid))
    return page(request, held=held, preview=preview)


def upload(request: HttpRequest, user: User) -> HttpResponse:
    deactivate_missing = request.POST.get("deactivate_missing") == "on"
    upload = request.FILES.get("file")
    if upload is None:
        return page(
            request,
            status=400,
            upload_error="Choose a CSV file to upload.",
            deactivate_missing=deactivate_missing,
        )
    try:
        check_size(upload.size or 0)  # before reading it into memory
        data = upload.read()
        parse_csv(data)  # a file with problems is shown with them, and not held
    except OrgFileTooLarge as too_large:
        return page(
            request, status=400, upload_error=str(too_large), deactivate_missing=deactivate_missing
        )
    except OrgFileInvalid as invalid:
        return page(
            request,
            status=400,
            file_name=upload.name,
            deactivate_missing=deactivate_missing,
            **invalid_context(invalid),
        )
    hold_org_file(
        user=user,
        file_name=upload.name or "org.csv",
        data=data,
        deactivate_missing=deactivate_missing,
    )
    return redirect("hr-org-import")


@login_required
@require_POST
def org_import_options(request: HttpRequest) -> HttpResponse:
    held = held_org_file(user=hr_user(request))
    if held is not None:
        set_deactivate_missing(
            held=held, deactivate_missing=request.POST.get("deactivate_missing") == "on"
        )
    return redirect("hr-org-import")


@login_required
@require_POST
def org_import_apply(request: HttpRequest) -> HttpResponse:
    held = held_org_file(user=hr_user(request))
    if held is None:
        return redirect("hr-org-import")
    try:
        applied: ImportSummary = apply_org_file(held=held)
    except OrgFileInvalid as invalid:
        # The org changed since the preview: nothing was applied, and the file is still held.
        return page(request, status=400, held=held, **invalid_context(invalid))
    return page(request, applied=applied)


@login_required
@require_POST
def org_import_cancel(request: HttpRequest) -> HttpResponse:
    discard_org_file(user=hr_user(request))
    return redirect(reverse("hr-org-import") + "?cancelled")
