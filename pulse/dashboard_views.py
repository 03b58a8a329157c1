"""Dashboards: the manager's view of their teams, and HR's organisation-wide pages.

Everything shown comes from released results, filtered to the viewer's scope (pulse.access);
anything outside it answers 404.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from common.query_params import id_from_query
from pulse.charts import trend_chart
from pulse.customer_panel import customer_panel
from pulse.loop import loop_unit_of, progress_since, steps_of
from pulse.release_models import ReleasedUnit
from pulse.results import (
    comments_of,
    counted_in_sentence,
    cycle_results,
    earlier_releases_for,
    led_small_teams,
    open_cycle_bands,
    released_cycles_for,
    trend_points,
    unit_page,
)
from pulse.scoring import DomainFigure, change_between
from surveys.focus_selectors import focus_and_previous
from surveys.instrument import Domain
from surveys.models import CommitmentStatus, Cycle, CycleState
from teams.roles import is_hr


def page(
    request: HttpRequest, template: str, context: dict | None = None, status: int = 200
) -> HttpResponse:
    context = {**(context or {}), "viewer_is_hr": is_hr(request.user)}
    return render(request, template, context, status=status)


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("account_login")
    return redirect("hr-heatmap" if is_hr(request.user) else "dashboard")


def chosen_cycle(request: HttpRequest) -> tuple[Cycle | None, list[Cycle]]:
    cycles = released_cycles_for(request.user)
    wanted = request.GET.get("cycle")
    if wanted is None:
        return (cycles[0] if cycles else None), cycles
    chosen = next((c for c in cycles if str(c.pk) == wanted), None)
    if chosen is None:
        raise Http404("No such results.")
    return chosen, cycles


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    cycle, cycles = chosen_cycle(request)
    if cycle is None:
        return page(request, "pulse/dashboard_empty.html")
    wanted = request.GET.get("unit")
    unit_id = id_from_query(wanted)
    if wanted is not None and unit_id is None:
        raise Http404("No such team.")
    result = unit_page(request.user, cycle, unit_id)
    small_team_sentences = [
        counted_in_sentence(team, cycle.k) for team in led_small_teams(request.user, cycle)
    ]
    if result is None:
        if wanted is not None:
            raise Http404("No such team.")
        return page(
            request,
            "pulse/dashboard_empty.html",
            {"cycle": cycle, "cycles": cycles, "small_teams": small_team_sentences},
        )
    selected = result.selected
    earlier = earlier_releases_for(request.user, selected.released)
    points = trend_points(selected.released, earlier) if selected.is_released else []
    loop = loop_unit_of(request.user, selected.released)
    focus, previous = focus_and_previous(selected.released.unit.team_id, cycle.pk, cycle.closes_at)
    return page(
        request,
        "pulse/dashboard.html",
        {
            "cycle": cycle,
            "cycles": cycles,
            "page": result,
            "selected": selected,
            "children": result.children,
            "chart": trend_chart(points),
            "trend_points": points,
            "customers": customer_panel(selected.released, earlier, [label for label, _ in points])
            if selected.is_released
            else None,
            "change": describe_change(selected.released, earlier),
            "comments": comments_of(selected.released),
            "small_teams": small_team_sentences,
            "loop": loop,
            "focus": focus,
            "steps": steps_of(focus),
            "progress": progress_since(request.user, selected.released, earlier, previous)
            if previous
            else None,
            "statuses": CommitmentStatus.choices,
        },
    )


def describe_change(released: ReleasedUnit, earlier: list[ReleasedUnit]) -> list[tuple[str, str]]:
    """Per domain, the change since the latest of `earlier` (the earlier releases this viewer
    may read, oldest first), in words."""
    if not earlier or released.status != "released":
        return []
    before, after = earlier[-1].figures.get("domains", {}), released.figures.get("domains", {})
    sentences = []
    for domain in Domain:
        if domain.value not in before or domain.value not in after:
            continue
        change = change_between(
            DomainFigure(**before[domain.value]), DomainFigure(**after[domain.value])
        )
        direction = "up" if change.delta >= 0 else "down"
        verdict = "likely a real change" if change.is_clear else "within the noise"
        sentence = f"{direction} {abs(change.delta):.0f} points: {verdict}"
        sentences.append((str(domain.label), sentence))
    return sentences


def hr_only(request: HttpRequest) -> None:
    if not is_hr(request.user):
        raise Http404("No such page.")


@login_required
def heatmap(request: HttpRequest) -> HttpResponse:
    hr_only(request)
    cycle, cycles = chosen_cycle(request)
    results = cycle_results(request.user, cycle) if cycle else None
    return page(
        request,
        "pulse/heatmap.html",
        {"cycle": cycle, "cycles": cycles, "results": results, "domains": list(Domain)},
    )


@login_required
def participation(request: HttpRequest) -> HttpResponse:
    hr_only(request)
    cycle, cycles = chosen_cycle(request)
    open_cycles = Cycle.objects.filter(state=CycleState.OPEN).select_related("cadence")
    return page(
        request,
        "pulse/participation.html",
        {
            "cycle": cycle,
            "cycles": cycles,
            "results": cycle_results(request.user, cycle) if cycle else None,
            "open_cycles": [
                (open_cycle, open_cycle_bands(open_cycle)) for open_cycle in open_cycles
            ],
        },
    )
