"""Results API: released figures, scoped to the caller; 404 outside the caller's scope."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from common.api_pages import LINK_HEADER, PAGE_PARAMETER, ListPages
from common.csv_export import CSVOrJSONView
from common.query_params import id_from_query
from pulse.access import led_cycle_teams, may_see, reads_everything
from pulse.release_models import ReleasedUnit
from pulse.results import (
    TrendPoint,
    earlier_releases_for,
    reason_text,
    small_teams,
    trend_points,
    with_destination,
)
from surveys.instrument import Domain
from surveys.models import Cycle
from surveys.selectors import subtree_ids

FORMAT_PARAMETER = OpenApiParameter(
    "format", str, enum=["json", "csv"], description="Or send Accept: text/csv."
)
FIGURE_COLUMNS = ["score", "favorable", "respondents"]


class DomainResultSerializer(serializers.Serializer):
    score = serializers.IntegerField(help_text="0-100, whole points as the dashboard shows it.")
    favorable = serializers.IntegerField(help_text="Share of favorable answers, whole points.")
    respondents = serializers.IntegerField(help_text="How many people this score describes.")


class UnitResultSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The unit's id in this cycle's snapshot.")
    # A field named like DRF's Field.parent attribute: the metaclass moves it into `fields`.
    parent = serializers.IntegerField(allow_null=True)  # type: ignore[assignment]
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=["released", "suppressed"])
    reason = serializers.CharField(allow_blank=True, help_text="Why it is hidden, in words.")
    eligible = serializers.IntegerField()
    respondents = serializers.IntegerField(allow_null=True)
    precision = serializers.IntegerField(
        allow_null=True,
        help_text="Scores are multiples of this: 1, or a coarse step (5 to 100; eNPS twice "
        "this) when the people counted may differ by a few from an earlier release.",
    )
    counts_teams = serializers.ListField(
        child=serializers.CharField(),
        help_text="Teams smaller than k whose answers are counted in this unit.",
    )
    domains = serializers.DictField(child=DomainResultSerializer())
    index = serializers.IntegerField(allow_null=True)
    enps = serializers.IntegerField(allow_null=True)
    enps_respondents = serializers.IntegerField(allow_null=True)
    follow_through = DomainResultSerializer(
        allow_null=True,
        help_text="Did the team do what it said on its focus? Scored 0-100 like a domain, for "
        "units whose people were asked it (a shared focus); null otherwise or when hidden.",
    )


def unit_payload(released: ReleasedUnit, k: int, counts_teams: list[str]) -> dict:
    """Exactly the figures the pages show, each with the number of people it describes."""
    figures = released.figures
    return {
        "id": released.unit_id,
        "parent": released.parent_unit_id,
        "name": released.unit.name,
        "status": released.status,
        "reason": with_destination(reason_text(released.reason, k), released.unit),
        "counts_teams": counts_teams,
        "eligible": released.eligible,
        "respondents": released.respondents,
        "precision": figures.get("precision"),
        "domains": {
            domain: {
                "score": value["score"],
                "favorable": value["favorable"],
                "respondents": value["respondents"],
            }
            for domain, value in figures.get("domains", {}).items()
        },
        "index": figures.get("index"),
        "enps": figures.get("enps"),
        "enps_respondents": figures.get("enps_respondents"),
        "follow_through": (
            {
                "score": figures["follow_through"]["score"],
                "favorable": figures["follow_through"]["favorable"],
                "respondents": figures["follow_through"]["respondents"],
            }
            if "follow_through" in figures
            else None
        ),
    }


def attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


class ResultsView(CSVOrJSONView):
    # Every domain's columns, also when the first units listed are hidden ones.
    csv_columns = [
        "id",
        "parent",
        "name",
        "status",
        "reason",
        "counts_teams",
        "eligible",
        "respondents",
        "precision",
        *(f"domains.{domain.value}.{figure}" for domain in Domain for figure in FIGURE_COLUMNS),
        "index",
        "enps",
        "enps_respondents",
    ]

    @extend_schema(
        parameters=[
            OpenApiParameter("cycle", int, required=True, description="Cycle id"),
            PAGE_PARAMETER,
            FORMAT_PARAMETER,
            LINK_HEADER,
        ],
        responses={200: UnitResultSerializer(many=True)},
        description="The units the caller may see, by name, 500 a page; the Link header names "
        "the next page.",
    )
    def get(self, request: Request) -> Response:
        cycle_id = id_from_query(request.query_params.get("cycle"))
        if cycle_id is None:
            raise ValidationError(
                {"cycle": "Give the id of a released cycle in digits 0-9, e.g. ?cycle=3."}
            )
        cycle = Cycle.objects.filter(pk=cycle_id, release__isnull=False).first()
        everything = cycle is not None and reads_everything(request.user, cycle.pk)
        led = led_cycle_teams(request.user, cycle.pk) if cycle and not everything else []
        if cycle is None or not (everything or led):
            raise NotFound("No released results for this cycle.")
        units = ReleasedUnit.objects.filter(cycle=cycle).select_related(
            "unit", "unit__answers_counted_in"
        )
        if not everything:
            units = units.filter(unit_id__in=subtree_ids(led))
        pages = ListPages()
        page = pages.page_of(units.order_by("unit__name", "unit_id"), request)
        counted: dict[int, list[str]] = {}
        for team in small_teams(cycle, counted_in=[u.unit_id for u in page]):
            counted.setdefault(team.counted_in_id, []).append(team.name)
        payload = [unit_payload(u, cycle.k, sorted(counted.get(u.unit_id, []))) for u in page]
        headers = pages.link_headers()
        if request.accepted_renderer.format == "csv":
            headers.update(attachment(f"results-{cycle.period}.csv"))
        return Response(payload, headers=headers)


class TrendView(CSVOrJSONView):
    @extend_schema(
        parameters=[FORMAT_PARAMETER],
        responses={
            200: inline_serializer(
                "Trend",
                {
                    "unit": serializers.IntegerField(),
                    "points": serializers.ListField(child=serializers.DictField()),
                },
            )
        },
    )
    def get(self, request: Request, unit: str) -> Response:
        unit_id = id_from_query(unit)  # the route matches only digits, but any number of them
        if unit_id is None:
            raise NotFound("No such unit.")
        released = (
            ReleasedUnit.objects.filter(unit_id=unit_id).select_related("unit", "cycle").first()
        )
        if released is None or not may_see(request.user, released.cycle_id, unit_id):
            raise NotFound("No such unit.")
        points = (
            trend_points(released, earlier_releases_for(request.user, released))
            if released.status == "released"
            else []
        )
        if request.accepted_renderer.format == "csv":
            # One row per survey: the table a spreadsheet charts.
            rows = [{"unit": unit_id, **trend_point_payload(point)} for point in points]
            return Response(rows, headers=attachment(f"trend-{unit_id}.csv"))
        return Response(
            {"unit": unit_id, "points": [trend_point_payload(point) for point in points]}
        )


def trend_point_payload(point: TrendPoint) -> dict:
    # `precision` as on a unit's results: above 1, the index is rounded to steps that wide.
    return {"period": point.period, "index": point.value, "precision": point.step}
