"""HR launches and closes cycles from the cycles page, each after a page that says what will
happen. Only a POST (with its CSRF token) acts: a link opened by a mail scanner, a prefetch or
a second tab only ever shows the question."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from surveys.closing import close_now
from surveys.launch import LaunchError, launch_now, launch_preview
from surveys.models import Cadence, Cycle, CycleState
from surveys.selectors import Delivery, open_cycle_bands, with_delivery
from teams.audit import acting_login
from teams.roles import is_hr


def refuse_unless_hr(request: HttpRequest) -> None:
    # Anyone else gets the same 404 as for a page that does not exist.
    if not is_hr(request.user):
        raise Http404("No such page.")


@login_required
@require_http_methods(["GET", "POST"])
def launch_page(request: HttpRequest, cadence_id: int) -> HttpResponse:
    refuse_unless_hr(request)
    cadence = get_object_or_404(Cadence, pk=cadence_id)
    now = timezone.now()
    preview = launch_preview(cadence=cadence, now=now)
    error = preview.problem
    if request.method == "POST" and not error:
        try:
            cycle = launch_now(cadence=cadence, now=now, actor=acting_login(request.user))
        except LaunchError as refused:
            error = str(refused)
        else:
            return HttpResponseRedirect(f"{reverse('hr-cycles')}?launched={cycle.pk}")
    context = {"cadence": cadence, "preview": preview, "error": error, "viewer_is_hr": True}
    status = 409 if request.method == "POST" else 200
    return render(request, "surveys/cycle_launch.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def close_page(request: HttpRequest, cycle_id: int) -> HttpResponse:
    refuse_unless_hr(request)
    cycle = get_object_or_404(with_delivery(Cycle.objects.select_related("cadence")), pk=cycle_id)
    if request.method == "POST" and cycle.state != CycleState.CLOSED:
        if close_now(cycle_id=cycle.pk, actor=acting_login(request.user)):
            return HttpResponseRedirect(f"{reverse('hr-cycles')}?closed={cycle.pk}")
        cycle.refresh_from_db()  # closed meanwhile, by its window or by someone else
    context = {
        "cycle": cycle,
        "delivery": Delivery.of(cycle),
        # The participation page's own figure: coarse bands for units of at least 2k
        # people, as they stood at the start of the day. Never a live count of answers.
        "bands": open_cycle_bands(cycle),
        "band_floor": 2 * cycle.k,
        "viewer_is_hr": True,
    }
    status = 409 if request.method == "POST" else 200
    return render(request, "surveys/cycle_close.html", context, status=status)
