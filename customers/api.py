"""Customer metrics over the API, for HR and CX admins: define metrics, import values (the same
rules as `import_cx`), and read values back."""

import re
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api_exceptions import DetailedValidationError, ErrorSerializer, PayloadTooLarge
from common.api_pages import LINK_HEADER, ListPages
from common.parsers import BoundedJSONParser
from customers.models import Metric, MetricValue
from customers.roles import IsCXAdmin
from customers.selectors import UnknownPeriod, months_of
from customers.services import import_values
from customers.value_file import (
    Record,
    ValueFileInvalid,
    ValueFileTooLarge,
    check_size,
    read_csv,
    read_json,
)
from teams.api import CSVParser, RowErrorSerializer, flag
from teams.org_problems import ProblemLog, RowError

KEY_PATTERN = r"[-a-zA-Z0-9_]{1,40}"


class MetricSerializer(serializers.ModelSerializer):
    class Meta:
        model = Metric
        fields = ["key", "name", "unit", "better", "roll_up"]

    def validate_key(self, key: str) -> str:
        # Import files name the metric by its key: renaming it would orphan every such file.
        if self.instance is not None and key != self.instance.key:
            raise ValidationError("A metric's key cannot change; import files name it.")
        return key


class MetricViewSet(viewsets.ModelViewSet):
    """The customer metrics: name, unit, which direction is better, how teams roll up."""

    queryset = Metric.objects.order_by("name", "key")
    serializer_class = MetricSerializer
    permission_classes = [IsCXAdmin]
    lookup_field = "key"
    # Only what a key can be reaches the database: anything else (a NUL, say) is a plain 404.
    lookup_value_regex = KEY_PATTERN


class ValueImportErrorSerializer(ErrorSerializer):
    """The shared error body, plus where each problem is: code `invalid_cx_file`."""

    rows = RowErrorSerializer(many=True, help_text="The first 100 problems, by line.")
    problems = serializers.IntegerField(help_text="How many problems were found in all.")


class ValueImportSummarySerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    dry_run = serializers.BooleanField()


class ValueImportView(APIView):
    permission_classes = [IsCXAdmin]
    parser_classes = [BoundedJSONParser, MultiPartParser, CSVParser]

    @property
    def max_body_bytes(self) -> int:
        return settings.PULSE_ORG_FILE_MAX_BYTES

    @extend_schema(
        summary="Import customer metric values",
        description=(
            "Values per team and month, as a CSV upload (multipart field `file`), a `text/csv` "
            'body, or JSON (a list of objects, or {"values": [...], "dry_run": true}). '
            "Columns: team (its leader's employee_id, or its name when only one team has it), "
            "period (YYYY-MM), metric (key), value, optional volume. Everything is checked "
            "first; any problem means nothing is applied. A value already stored for the team, "
            "metric and month is updated in place. `?dry_run=true` counts what would change "
            "without changing anything."
        ),
        request={
            "multipart/form-data": inline_serializer(
                "ValueImportUpload", {"file": serializers.FileField()}
            ),
            "text/csv": {"type": "string"},
            "application/json": {"type": "array", "items": {"type": "object"}},
        },
        responses={
            200: ValueImportSummarySerializer,
            400: OpenApiResponse(
                ValueImportErrorSerializer,
                description="Every problem found, by line and column; nothing was applied.",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        body = request.data
        try:
            records, problems = self.records_from(request, body)
            summary = import_values(
                records=records, problems=problems, dry_run=flag(request, "dry_run", body)
            )
        except ValueFileInvalid as invalid:
            raise DetailedValidationError(
                f"The file has {invalid.summary}; nothing was imported. {invalid.errors[0]}.",
                code="invalid_cx_file",
                extra={
                    "rows": RowErrorSerializer(invalid.errors, many=True).data,
                    "problems": invalid.count,
                },
            ) from invalid
        except ValueFileTooLarge as too_large:
            raise PayloadTooLarge(str(too_large)) from too_large
        return Response(ValueImportSummarySerializer(summary.__dict__).data)

    def records_from(self, request: Request, body: object) -> tuple[list[Record], ProblemLog]:
        if isinstance(body, bytes):
            return read_csv(body)
        if isinstance(body, list):
            return read_json(body)
        if isinstance(body, dict) and isinstance(body.get("values"), list):
            return read_json(body["values"])
        upload = request.FILES.get("file")
        if upload is not None:
            check_size(upload.size or 0)  # before reading it into memory
            return read_csv(upload.read())
        raise ValueFileInvalid(
            [
                RowError(
                    1,
                    None,
                    "send a CSV file (multipart field 'file' or a text/csv body) or a JSON "
                    "list of values",
                )
            ]
        )


class MetricValueSerializer(serializers.ModelSerializer):
    metric = serializers.CharField(source="metric.key")
    team_id = serializers.IntegerField()
    team = serializers.CharField(source="team.name")
    team_leader = serializers.CharField(
        source="team.manager.employee_id", help_text="The employee_id of the team's leader."
    )

    class Meta:
        model = MetricValue
        fields = ["metric", "team_id", "team", "team_leader", "period", "value", "volume"]


class MetricValueViewSet(viewsets.ReadOnlyModelViewSet):
    """Stored values, by metric, month and team; filter with ?metric=KEY and ?period=. 500 a
    page; the Link header names the next page, with the same filters."""

    serializer_class = MetricValueSerializer
    permission_classes = [IsCXAdmin]
    pagination_class = ListPages

    @extend_schema(
        parameters=[
            OpenApiParameter("metric", str, description="Only this metric's key."),
            OpenApiParameter(
                "period", str, description="Only this month (YYYY-MM) or quarter (YYYY-Qn)."
            ),
            LINK_HEADER,
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[MetricValue]:
        values = MetricValue.objects.select_related("metric", "team__manager").order_by(
            "metric__key", "period", "team__name", "team_id"
        )
        metric = self.request.query_params.get("metric")
        if metric:
            known = re.fullmatch(KEY_PATTERN, metric) and Metric.objects.filter(key=metric).exists()
            if not known:
                raise ValidationError({"metric": [f"No metric has the key {metric!r}."]})
            values = values.filter(metric__key=metric)
        period = self.request.query_params.get("period")
        if period:
            try:
                values = values.filter(period__in=months_of(period))
            except UnknownPeriod as error:
                raise ValidationError({"period": [str(error)]}) from None
        return values
