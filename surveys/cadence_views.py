"""HR's cadence pages: the list, and creating or editing one in HR's words, with a preview of
what it will do next. Saving goes through surveys.services, as the admin and the API do."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from surveys.cadence_forms import CadenceForm, initial_for, initial_for_new
from surveys.cadence_outlook import CadenceOutlook, cadence_outlook
from surveys.instrument import SurveyKind
from surveys.launch import schedule_rule
from surveys.models import Cadence
from surveys.services import save_cadence
from teams.audit import acting_login
from teams.roles import is_hr


def require_hr(request: HttpRequest) -> None:
    # Anyone else gets the same 404 as for a page that does not exist.
    if not is_hr(request.user):
        raise Http404("No such page.")


@login_required
def cadence_list(request: HttpRequest) -> HttpResponse:
    require_hr(request)
    now = timezone.now()
    rows = [
        (cadence, cadence_outlook(rule=schedule_rule(cadence), now=now, cadence=cadence))
        for cadence in Cadence.objects.select_related("population_team")
    ]
    return render(
        request,
        "surveys/cadences.html",
        {"rows": rows, "kinds": SurveyKind.choices, "viewer_is_hr": True},
    )


@login_required
def cadence_create(request: HttpRequest) -> HttpResponse:
    require_hr(request)
    kind = request.GET.get("kind", SurveyKind.MONTHLY_PULSE)
    if kind not in SurveyKind.values:
        kind = SurveyKind.MONTHLY_PULSE
    if request.method != "POST":
        form = CadenceForm(initial=initial_for_new(kind))
        return cadence_page(request, form, cadence=None, outlook=initial_outlook(form))
    form = CadenceForm(request.POST, time_zone=request.POST.get("time_zone", ""))
    if not form.is_valid():
        return cadence_page(request, form, cadence=None, outlook=None, status=400)
    if "preview" in request.POST:
        return cadence_page(request, form, cadence=None, outlook=form_outlook(form, None))
    cadence = save_cadence(
        cadence=form.fill(Cadence()),
        population_team=form.cleaned_data["population"],
        actor=acting_login(request.user),
    )
    return redirect(reverse("hr-cadence-edit", args=[cadence.pk]) + "?saved")


@login_required
def cadence_edit(request: HttpRequest, cadence_id: int) -> HttpResponse:
    require_hr(request)
    cadence = get_object_or_404(Cadence, pk=cadence_id)
    team_missing = cadence.population_is_team and cadence.population_team_id is None
    if request.method != "POST":
        form = CadenceForm(
            initial=initial_for(cadence), time_zone=cadence.time_zone, team_missing=team_missing
        )
        outlook = cadence_outlook(rule=schedule_rule(cadence), now=timezone.now(), cadence=cadence)
        return cadence_page(
            request, form, cadence=cadence, outlook=outlook, saved="saved" in request.GET
        )
    form = CadenceForm(
        request.POST,
        time_zone=request.POST.get("time_zone", cadence.time_zone),
        team_missing=team_missing,
    )
    if not form.is_valid():
        return cadence_page(request, form, cadence=cadence, outlook=None, status=400)
    if "preview" in request.POST:
        return cadence_page(request, form, cadence=cadence, outlook=form_outlook(form, cadence))
    save_cadence(
        cadence=form.fill(cadence),
        population_team=form.cleaned_data["population"],
        actor=acting_login(request.user),
    )
    return redirect(reverse("hr-cadence-edit", args=[cadence.pk]) + "?saved")


def initial_outlook(form: CadenceForm) -> CadenceOutlook | None:
    """The preview of a new cadence's defaults, read through the form like anything typed."""
    bound = CadenceForm({**form.initial, "name": "preview", "population": "everyone"})
    return form_outlook(bound, None) if bound.is_valid() else None


def form_outlook(form: CadenceForm, cadence: Cadence | None) -> CadenceOutlook:
    return cadence_outlook(rule=form.schedule_rule(), now=timezone.now(), cadence=cadence)


def cadence_page(
    request: HttpRequest,
    form: CadenceForm,
    *,
    cadence: Cadence | None,
    outlook: CadenceOutlook | None,
    saved: bool = False,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "surveys/cadence_form.html",
        {
            "form": form,
            "cadence": cadence,
            "outlook": outlook,
            "saved": saved,
            "viewer_is_hr": True,
        },
        status=status,
    )
