"""The linked view over the API: released survey figures beside a customer metric, scoped like
the results (a manager gets the units they led, HR every unit), as JSON or CSV."""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from common.api_pages import LINK_HEADER, PAGE_PARAMETER, ListPages
from common.csv_export import CSVOrJSONView
from common.query_params import id_from_query
from customers.selectors import metrics
from pulse.access import visible_unit_ids
from pulse.linkage import LinkedPoint, LinkedView, linked_view, survey_measures
from pulse.linkage_stats import MIN_UNITS
from pulse.linkage_views import linked_choice, linked_csv_name, linked_csv_text
from surveys.models import Cycle


class LinkedPointSerializer(serializers.Serializer):
    unit = serializers.IntegerField(help_text="The unit's id in this cycle's snapshot.")
    name = serializers.CharField()
    survey = serializers.FloatField(help_text="The released figure, as the dashboards show it.")
    customer = serializers.FloatField(help_text="The metric rolled up over the unit's teams.")
    volume = serializers.FloatField(allow_null=True)
    teams = serializers.IntegerField(help_text="Teams whose customer values are included.")


class CorrelationSerializer(serializers.Serializer):
    n = serializers.IntegerField(help_text="Units paired.")
    spearman = serializers.FloatField(allow_null=True, help_text="Rank correlation, ties averaged.")
    pearson = serializers.FloatField(allow_null=True)
    low = serializers.FloatField(
        allow_null=True, help_text="95% interval (Fisher z); null at n<=3."
    )
    high = serializers.FloatField(allow_null=True)
    enough = serializers.BooleanField(help_text=f"At least {MIN_UNITS} units: enough to tell.")
    sentence = serializers.CharField(help_text="What the data shows, in words.")


class LinkedViewSerializer(serializers.Serializer):
    cycle = serializers.IntegerField()
    survey_period = serializers.CharField()
    x = serializers.ChoiceField(choices=[key for key, _ in survey_measures()])
    metric = serializers.CharField()
    lag = serializers.IntegerField()
    customer_period = serializers.CharField()
    points = LinkedPointSerializer(
        many=True,
        help_text="One page of the paired units, by name, 500 a page; the Link header names "
        "the next page. Every other field describes all the units in scope, on every page.",
    )
    hidden_by_anonymity_rules = serializers.IntegerField(
        help_text="Units in scope left out because the anonymity rules hide the chosen figure."
    )
    without_customer_figures = serializers.IntegerField()
    containing_other_units = serializers.IntegerField(
        help_text="Units left out because they contain a unit in `points`."
    )
    correlation = CorrelationSerializer()


def linked_payload(view: LinkedView, points: list[LinkedPoint]) -> dict[str, Any]:
    """The summary of every unit in scope, with one page of its `points`."""
    result = view.correlation
    return {
        "cycle": view.cycle.pk,
        "survey_period": view.cycle.period,
        "x": view.measure,
        "metric": view.metric.key,
        "lag": view.lag,
        "customer_period": view.period,
        "points": [
            {
                "unit": p.unit_id,
                "name": p.name,
                "survey": p.survey,
                "customer": p.customer,
                "volume": p.volume,
                "teams": p.teams,
            }
            for p in points
        ],
        "hidden_by_anonymity_rules": view.hidden,
        "without_customer_figures": view.without_customer_figures,
        "containing_other_units": view.containing,
        "correlation": {
            "n": result.n,
            "spearman": result.spearman,
            "pearson": result.pearson,
            "low": result.low,
            "high": result.high,
            "enough": result.enough,
            "sentence": result.sentence,
        },
    }


class LinkedApiView(CSVOrJSONView):
    """JSON, or the page's CSV (Accept: text/csv or ?format=csv); a refusal is the one JSON
    error body (config.api_errors), even when CSV was asked for."""

    @extend_schema(
        summary="Released survey figures beside a customer metric, unit by unit, with correlations",
        parameters=[
            OpenApiParameter("cycle", int, required=True, description="Cycle id"),
            OpenApiParameter(
                "x", str, enum=[key for key, _ in survey_measures()], description="Survey figure"
            ),
            OpenApiParameter("metric", str, description="Customer metric key; default the first"),
            OpenApiParameter("lag", int, enum=[0, 1], description="1: the period after"),
            PAGE_PARAMETER,
            OpenApiParameter("format", str, enum=["json", "csv"]),
            LINK_HEADER,
        ],
        responses={200: LinkedViewSerializer},
        description="The correlation and the counts are over every unit in scope, the same on "
        "every page; `points` lists 500 of the paired units a page, and the Link header names "
        "the next page. The CSV is the same page of points.",
    )
    def get(self, request: Request) -> Response:
        cycle_id = id_from_query(request.query_params.get("cycle"))
        if cycle_id is None:
            raise ValidationError(
                {"cycle": "Give the id of a released cycle in digits 0-9, e.g. ?cycle=3."}
            )
        cycle = Cycle.objects.filter(pk=cycle_id, release__isnull=False).first()
        if cycle is None or visible_unit_ids(request.user, cycle.pk) == set():
            raise NotFound("No released results for this cycle.")
        choice = linked_choice(request.query_params, metrics())
        if isinstance(choice, dict):
            raise ValidationError(choice)
        if choice.metric is None:
            raise NotFound("No customer metric is defined yet.")
        view = linked_view(
            request.user, cycle, measure=choice.measure, metric=choice.metric, lag=choice.lag
        )
        pages = ListPages()
        points = pages.page_of(view.points, request)
        headers = pages.link_headers()
        if request.accepted_renderer.format == "csv":
            headers["Content-Disposition"] = f'attachment; filename="{linked_csv_name(view)}"'
            return Response(linked_csv_text(view, points), headers=headers)
        return Response(linked_payload(view, points), headers=headers)
