"""HR's delivery page: every cycle, its state, and how its invitations went out."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from surveys.models import Cycle
from teams.roles import is_hr


@login_required
def delivery_page(request: HttpRequest) -> HttpResponse:
    # Anyone else gets the same 404 as for a page that does not exist.
    if not is_hr(request.user):
        raise Http404("No such page.")
    rows = (
        Cycle.objects.select_related("cadence")
        .annotate(failures=Count("invitations", filter=Q(invitations__delivery_failed=True)))
        .order_by("-opens_at")
    )
    return render(request, "surveys/delivery.html", {"rows": rows, "viewer_is_hr": True})
