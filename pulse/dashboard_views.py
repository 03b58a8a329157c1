"""Dashboards: the manager's view of their teams, and HR's organisation-wide pages.

Everything shown comes from released results, filtered to the viewer's scope (pulse.access);
anything outside it answers 404.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from common.query_params import id_from_query, page_from_query, search_from_query
from pulse.access import may_be_told_team_missing
from pulse.charts import trend_chart
from pulse.comment_pages import comments_page
from pulse.customer_panel import customer_panel
from pulse.loop import change_sentence, loop_unit_of, progress_since, steps_of
from pulse.release_models import ReleasedUnit
from pulse.results import (
    counted_in_sentence,
    earlier_releases_for,
    led_small_teams,
    released_cycles_for,
    trend_points,
    unit_page,
)
from pulse.unit_levels import UnitLevel, unit_level
from pulse.unit_links import team_of_unit, unit_counting_team
from surveys.focus_selectors import focus_and_previous
from surveys.instrument import Domain
from surveys.models import CommitmentStatus, Cycle, CycleState, CycleTeam
from surveys.selectors import open_cycle_bands
from teams.hr_identity import names_nobody
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
    unit_id, team_missing = wanted_unit(request, cycle)
    result = unit_page(
        request.user,
        cycle,
        unit_id,
        page=wanted_page(request),
        search=search_from_query(request.GET.get("q")),
    )
    small_team_sentences = [
        counted_in_sentence(team, cycle.k) for team in led_small_teams(request.user, cycle)
    ]
    if result is None:
        if unit_id is not None:
            raise Http404("No such team.")
        return page(
            request,
            "pulse/dashboard_empty.html",
            {"cycle": cycle, "cycles": cycles, "small_teams": small_team_sentences},
        )
    selected = result.selected
    parent = CycleTeam.objects.filter(pk=result.parent_id).first() if result.parent_id else None
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
            "parent": parent,
            # The survey picker keeps the unit: it sends the team along with the survey.
            "picker_team": selected.released.unit.team_id,
            "team_missing": team_missing,
            "children": result.children,
            "chart": trend_chart(points),
            "trend_points": points,
            "customers": customer_panel(selected.released, earlier, [p.period for p in points])
            if selected.is_released
            else None,
            "change": describe_change(selected.released, earlier),
            "comments": comments_page(
                selected.released, comments_from(request.GET.get("comments_from"))
            ),
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


def comments_from(raw: str | None) -> int:
    """How many comments a "More comments" link has shown already; it never names anything
    else. Past the last comment, the page simply has none."""
    if raw is None:
        return 0
    start = id_from_query(raw)
    if start is None:
        raise Http404("No such page of comments.")
    return start


def wanted_unit(request: HttpRequest, cycle: Cycle) -> tuple[int | None, bool]:
    """The reporting unit the address asks for in `cycle` (None: the viewer's own), and whether
    it named a team that `cycle` did not have (then the viewer's own is shown, and says so).

    `?team=` is the address (pulse.unit_links); `?unit=` is the old per-cycle one, still read.
    """
    raw_team, raw_unit = request.GET.get("team"), request.GET.get("unit")
    if raw_team is None and raw_unit is None:
        return None, False
    if raw_team is not None:
        team_id = id_from_query(raw_team)
    else:
        unit_id = id_from_query(raw_unit)
        if unit_id is None:
            raise Http404("No such team.")
        team_id = team_of_unit(unit_id)
        if team_id is None:
            # The team is gone since: the unit still stands for itself in its own cycle.
            return unit_id, False
    if team_id is None:
        raise Http404("No such team.")
    unit_id = unit_counting_team(cycle, team_id)
    if unit_id is None and not may_be_told_team_missing(request.user, cycle.pk, team_id):
        raise Http404("No such team.")
    return unit_id, unit_id is None


def wanted_page(request: HttpRequest) -> int:
    """The page of units the address asks for; an address that names no page answers 404."""
    number = page_from_query(request.GET.get("page"))
    if not number:
        raise Http404("No such page.")
    return number


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
        sentence = change_sentence(before[domain.value], after[domain.value])
        sentences.append((str(domain.label), sentence))
    return sentences


def hr_only(request: HttpRequest) -> None:
    if not is_hr(request.user):
        raise Http404("No such page.")


@login_required
def heatmap(request: HttpRequest) -> HttpResponse:
    hr_only(request)
    cycle, cycles = chosen_cycle(request)
    return page(
        request,
        "pulse/heatmap.html",
        {
            "cycle": cycle,
            "cycles": cycles,
            "level": level_of(request, cycle),
            "domains": list(Domain),
            "names_nobody": names_nobody(request.user),
        },
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
            "level": level_of(request, cycle),
            "open_cycles": [
                (open_cycle, open_cycle_bands(open_cycle)) for open_cycle in open_cycles
            ],
        },
    )


def level_of(request: HttpRequest, cycle: Cycle | None) -> UnitLevel | None:
    """The level of the organisation the address opens (`?team=`, `?page=`, `?q=`)."""
    if cycle is None:
        return None
    unit_id, _ = wanted_unit(request, cycle)
    level = unit_level(
        request.user,
        cycle,
        unit_id,
        page=wanted_page(request),
        search=search_from_query(request.GET.get("q")),
    )
    if level is None and (unit_id is not None or "team" in request.GET):
        raise Http404("No such team.")
    return level
