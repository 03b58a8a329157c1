"""HR's audit log page: what HR did, newest first, one kind of action at a time if asked."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from teams.audit import audit_page
from teams.models import AuditAction
from teams.roles import is_hr


def page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "")
    return int(raw) if raw.isdigit() else 1


@login_required
def audit_log_page(request: HttpRequest) -> HttpResponse:
    # Anyone else gets the same 404 as for a page that does not exist.
    if not is_hr(request.user):
        raise Http404("No such page.")
    action = request.GET.get("action", "")
    if action not in AuditAction.values:
        action = ""
    context = {
        "log": audit_page(action=action, page=page_number(request)),
        "action": action,
        "actions": AuditAction.choices,
        "viewer_is_hr": True,
    }
    return render(request, "teams/audit.html", context)
