"""The manager's path after a release (team summary, focus and commitments, sharing, status)
and HR's follow-through page. Logged-in pages: forms POST with CSRF.

A unit outside the viewer's scope answers 404, and so does a write by anyone but the manager
who led the unit in the cycle (pulse.loop), so no page confirms that a focus exists.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from common.api_pages import ListPages
from common.query_params import search_from_query
from pulse import results
from pulse.dashboard_views import chosen_cycle, hr_only, page
from pulse.follow_through import (
    Filters,
    as_csv,
    csv_lines,
    follow_through_rows,
    follow_through_units,
    released_on,
)
from pulse.loop import LoopUnit, domain_label, loop_unit, steps_of, weakest_domain
from pulse.loop_forms import FocusForm, StatusForm
from pulse.results import unit_result
from pulse.unit_links import unit_query
from surveys.focus import FocusProblem, save_focus, set_commitment_status, share_focus
from surveys.models import Commitment, CommitmentStatus, Cycle, CycleTeam


def readable_unit(request: HttpRequest, unit: int) -> LoopUnit:
    found = loop_unit(request.user, unit)
    if found is None:
        raise Http404("No such team.")
    return found


def writable_unit(request: HttpRequest, unit: int) -> LoopUnit:
    found = readable_unit(request, unit)
    if not found.can_write or found.unit.team is None:
        raise Http404("No such team.")
    return found


def dashboard_url(loop: LoopUnit) -> str:
    return f"{reverse('dashboard')}?cycle={loop.cycle.pk}&{unit_query(loop.unit)}"


@login_required
def team_summary(request: HttpRequest, unit: int) -> HttpResponse:
    """The page to show the team on a screen or print: released figures only."""
    loop = readable_unit(request, unit)
    result = unit_result(loop.released, loop.cycle.k)
    return page(
        request,
        "pulse/team_summary.html",
        {"loop": loop, "cycle": loop.cycle, "selected": result, "focus": loop.focus},
    )


@login_required
def focus_page(request: HttpRequest, unit: int) -> HttpResponse:
    loop = writable_unit(request, unit)
    focus = loop.focus
    proposed = weakest_domain(loop.released)
    form = FocusForm(request.POST or None, initial=FocusForm.initial_for(focus, proposed))
    if request.method == "POST" and form.is_valid():
        inputs = form.commitments()
        try:
            save_focus(
                team=loop.unit.team,  # type: ignore[arg-type]  # writable_unit checked it
                cycle=loop.cycle,
                domain=form.cleaned_data["domain"],
                commitments=inputs,
                note=form.cleaned_data.get("note", ""),
                chosen_by=request.user,  # type: ignore[arg-type]  # login_required
            )
        except FocusProblem as problem:
            form.show_problem(problem, inputs)
        else:
            return redirect(reverse("focus", args=[loop.unit.pk]) + "?saved=1")
    return page(
        request,
        "pulse/focus.html",
        {
            "loop": loop,
            "cycle": loop.cycle,
            "focus": focus,
            "form": form,
            "proposed": domain_label(proposed),
            "steps": steps_of(focus),
            "saved": request.GET.get("saved") == "1",
            "dashboard_url": dashboard_url(loop),
            "statuses": CommitmentStatus.choices,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def share(request: HttpRequest, unit: int) -> HttpResponse:
    loop = writable_unit(request, unit)
    stored = loop.stored_focus()
    if stored is None:
        raise Http404("No focus to share yet.")
    try:
        share_focus(focus=stored)
    except FocusProblem:
        return redirect(reverse("focus", args=[loop.unit.pk]))
    return redirect(dashboard_url(loop))


@login_required
@require_POST
def commitment_status(request: HttpRequest, commitment: int) -> HttpResponse:
    """Planned, doing, done or dropped: by the manager who led the team in the cycle the
    focus answers."""
    found = Commitment.objects.filter(pk=commitment).select_related("focus").first()
    form = StatusForm(request.POST)
    unit = (
        CycleTeam.objects.filter(cycle_id=found.focus.cycle_id, team_id=found.focus.team_id)
        .values_list("pk", flat=True)
        .first()
        if found
        else None
    )
    if found is None or unit is None:
        raise Http404("No such commitment.")
    writable_unit(request, unit)
    if not form.is_valid():
        raise Http404("No such status.")
    set_commitment_status(commitment=found, status=form.cleaned_data["status"])
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect(reverse("focus", args=[unit]))


def whole_number(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "").strip()
    return int(raw) if raw.isdigit() else None


@login_required
def follow_through(request: HttpRequest) -> HttpResponseBase:
    """One page of units at a time, as many as the dashboards list, the filters and the search
    kept from page to page; `format=csv` streams every unit that matches them."""
    hr_only(request)
    cycle, cycles = chosen_cycle(request)
    filters = Filters(
        below=whole_number(request, "below"),
        without_focus_after_days=whole_number(request, "without_focus_days"),
        search=search_from_query(request.GET.get("q")),
    )
    if request.GET.get("format") == "csv":
        return follow_through_csv(request, cycle, filters)
    shown = (
        ListPages(page_size=results.UNITS_PER_PAGE).shown_page_of(
            follow_through_units(request.user, cycle, filters), request
        )
        if cycle
        else None
    )
    # The CSV is the whole list under the same filters and search, not the page shown.
    query = request.GET.copy()
    query.pop("page", None)
    query["format"] = "csv"
    return page(
        request,
        "pulse/follow_through.html",
        {
            "cycle": cycle,
            "cycles": cycles,
            "rows": follow_through_rows(request.user, cycle, shown.rows) if cycle and shown else [],
            "shown": shown,
            "filters": filters,
            "released_on": released_on(cycle) if cycle else None,
            "csv_query": query.urlencode(),
        },
    )


def follow_through_csv(
    request: HttpRequest, cycle: Cycle | None, filters: Filters
) -> StreamingHttpResponse:
    """HR's full export: streamed, so neither the server nor the response holds every unit."""
    lines = (
        csv_lines(request.user, cycle, follow_through_units(request.user, cycle, filters))
        if cycle
        else iter([as_csv([])])
    )
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    name = f"follow-through-{cycle.period if cycle else 'none'}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
