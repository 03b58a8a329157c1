"""HR's delivery page: every cycle, its state, and how its invitations went out."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from surveys.models import Cycle, CycleState, StuckReason
from teams.roles import is_hr

# What a stuck stage means for HR, in plain words. Only the stage and its time are known here:
# the ids and the exception's type are in the worker's log, and nothing of what anyone answered.
STUCK_CONSEQUENCES = {
    StuckReason.CLOSING: (
        "The cycle could not be closed",
        "It is tried again every minute; until then it is open and still takes answers.",
    ),
    StuckReason.SENDING: (
        "Invitations could not be sent",
        "Every unsent email is tried again every minute.",
    ),
    StuckReason.STORING: (
        "Results could not be released",
        "No answer is lost: they wait sealed and storing them is tried again every minute; "
        "the team has been told nothing.",
    ),
    StuckReason.RELEASING: (
        "Results could not be released",
        "The stored answers are kept and the release is tried again every minute; the team "
        "has been told nothing.",
    ),
}

# Storing fails while the cycle is open: nothing is due to be released yet.
WHILE_OPEN = (
    "Answers are waiting",
    "No answer is lost: they wait sealed and storing them is tried again every minute.",
)


def stuck_note(cycle: Cycle) -> str:
    """ "Results could not be released: storing answers failed at 2026-03-02 09:14. …", or ""."""
    if not cycle.stuck_reason or cycle.stuck_since is None:
        return ""
    reason = StuckReason(cycle.stuck_reason)
    headline, consequence = STUCK_CONSEQUENCES[reason]
    if reason == StuckReason.STORING and cycle.state != CycleState.CLOSED:
        headline, consequence = WHILE_OPEN
    at = timezone.localtime(cycle.stuck_since).strftime("%Y-%m-%d %H:%M")
    return (
        f"{headline}: {reason.label} failed at {at}. {consequence} "
        "The cycle's id is in the worker's log, with the error's type and where it was raised."
    )


@login_required
def delivery_page(request: HttpRequest) -> HttpResponse:
    # Anyone else gets the same 404 as for a page that does not exist.
    if not is_hr(request.user):
        raise Http404("No such page.")
    rows = list(
        Cycle.objects.select_related("cadence")
        .annotate(failures=Count("invitations", filter=Q(invitations__delivery_failed=True)))
        .order_by("-opens_at")
    )
    stuck = [(row, stuck_note(row)) for row in rows if row.stuck_reason]
    return render(
        request, "surveys/delivery.html", {"rows": rows, "stuck": stuck, "viewer_is_hr": True}
    )
