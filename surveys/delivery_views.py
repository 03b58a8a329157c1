"""HR's delivery page: every cycle, its state, and how its invitations went out."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from surveys.models import Cadence, Cycle, CycleState, StuckReason
from surveys.selectors import Delivery, with_delivery
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


@dataclass(frozen=True)
class CycleRow:
    cycle: Cycle
    delivery: Delivery

    @property
    def may_close(self) -> bool:
        return self.cycle.state != CycleState.CLOSED


def done_note(request: HttpRequest) -> str:
    """What the last launch or close did, after its confirmation page sent HR back here."""
    for verb in ("launched", "closed"):
        cycle_id = request.GET.get(verb, "")
        cycle = (
            Cycle.objects.select_related("cadence").filter(pk=int(cycle_id)).first()
            if cycle_id.isdigit()
            else None
        )
        if cycle is None:
            continue
        if verb == "launched":
            return (
                f"Launched {cycle}: the emails to its {cycle.invited_count} people go out "
                "within a minute or two; the table below shows how many have been sent."
            )
        return f"Closed {cycle}. Its results are released within a few minutes."
    return ""


@login_required
def delivery_page(request: HttpRequest) -> HttpResponse:
    # Anyone else gets the same 404 as for a page that does not exist.
    if not is_hr(request.user):
        raise Http404("No such page.")
    cycles = list(with_delivery(Cycle.objects.select_related("cadence")).order_by("-opens_at"))
    rows = [CycleRow(cycle, Delivery.of(cycle)) for cycle in cycles]
    stuck = [(cycle, stuck_note(cycle)) for cycle in cycles if cycle.stuck_reason]
    context = {
        "rows": rows,
        "stuck": stuck,
        "cadences": Cadence.objects.filter(active=True).order_by("name"),
        "done": done_note(request),
        "viewer_is_hr": True,
    }
    return render(request, "surveys/delivery.html", context)
