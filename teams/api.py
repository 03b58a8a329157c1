"""HR's org import over the API: CSV (upload or body) or JSON, same rules as the command."""

from collections.abc import Mapping
from typing import IO

from django.conf import settings
from django.http import QueryDict
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api_exceptions import DetailedValidationError, ErrorSerializer, PayloadTooLarge
from common.flags import NotAFlag, parse_flag
from common.parsers import BoundedJSONParser, body_limit, read_limited
from teams.audit import acting_login
from teams.org_csv import OrgRow, parse_csv, parse_records
from teams.org_problems import OrgFileInvalid, OrgFileTooLarge, RowError, check_size
from teams.permissions import IsHRAdmin
from teams.services import import_org


class CSVParser(BaseParser):
    """A raw text/csv body, handed over as bytes so encoding errors are ours to report."""

    media_type = "text/csv"

    # DRF puts whatever a parser returns into request.data; the stubs allow only a mapping.
    def parse(  # type: ignore[override]
        self,
        stream: IO[bytes],
        media_type: str | None = None,
        parser_context: Mapping[str, object] | None = None,
    ) -> bytes:
        return read_limited(stream, body_limit(parser_context))


class RowErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    column = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class OrgImportErrorSerializer(ErrorSerializer):
    """The shared error body, plus where each problem is: code `invalid_org_file`."""

    rows = RowErrorSerializer(many=True, help_text="The first 100 problems, by line.")
    problems = serializers.IntegerField(help_text="How many problems were found in all.")


class ImportSummarySerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    deactivated = serializers.IntegerField()
    teams = serializers.IntegerField()
    dry_run = serializers.BooleanField()


def flag(request: Request, name: str, body: object) -> bool:
    """A true/false option from the JSON body, the query or the form; absent means false.
    A word that means neither is refused rather than read as false: `dry_run=ture` must not
    apply the import."""
    if isinstance(body, dict) and name in body:
        value = body[name]
    else:
        value = request.query_params.get(name)
        if value is None and isinstance(body, QueryDict):
            value = body.get(name)
    if value is None or value == "":
        return False
    try:
        return parse_flag(name, value)
    except NotAFlag as error:
        raise ValidationError({name: [str(error)]}) from None


IMPORT_OPTIONS = [
    OpenApiParameter(
        "dry_run",
        OpenApiTypes.BOOL,
        OpenApiParameter.QUERY,
        description="Check and count without applying anything.",
    ),
    OpenApiParameter(
        "deactivate_missing",
        OpenApiTypes.BOOL,
        OpenApiParameter.QUERY,
        description="Deactivate active people who are not in the file.",
    ),
]
ORG_FILE_REQUEST = {
    # A plain schema, not a serializer's FileField: that one is described as a URI (a text box
    # in the docs) unless every request body is split into its own schema.
    "multipart/form-data": {
        "type": "object",
        "properties": {
            "file": {
                "type": "string",
                "format": "binary",
                "description": "The org chart as a UTF-8 CSV file.",
            }
        },
        "required": ["file"],
    },
    "text/csv": {"type": "string"},
    "application/json": {"type": "array", "items": {"type": "object"}},
}
NOTHING_SENT = (
    "send a CSV file (multipart field 'file' or a text/csv body) or a JSON list of people"
)


class OrgFileView(APIView):
    """An HR endpoint whose body is an org file: CSV (upload or body) or JSON."""

    permission_classes = [IsHRAdmin]
    parser_classes = [BoundedJSONParser, MultiPartParser, CSVParser]

    @property
    def max_body_bytes(self) -> int:
        """A JSON or CSV body may be as large as an org file (common.parsers reads this)."""
        return settings.PULSE_ORG_FILE_MAX_BYTES


class OrgImportView(OrgFileView):
    @extend_schema(
        summary="Import the org chart",
        description=(
            "Send the whole organisation as a CSV upload (multipart field `file`), a `text/csv` "
            'body, or JSON (a list of people, or {"people": [...], "deactivate_missing": '
            "true}). Columns: employee_id, email, name, manager_id (empty for the top person), "
            "optional team. Everything is checked first; any problem means nothing is applied. "
            "`?deactivate_missing=true` deactivates people missing from the file; "
            "`?dry_run=true` checks and counts without changing anything. A file over "
            "PULSE_ORG_FILE_MAX_BYTES (50 MB unless configured) is refused with 413. The "
            "import runs within this request: a large file (tens of thousands of people and "
            "more) can take longer than a reverse proxy waits, so send it to "
            "`/api/v1/org/import/jobs` instead, which runs it in the background and reports "
            "its progress."
        ),
        parameters=IMPORT_OPTIONS,
        request=ORG_FILE_REQUEST,
        responses={
            200: ImportSummarySerializer,
            400: OpenApiResponse(
                OrgImportErrorSerializer,
                description="Every problem found, by line and column; nothing was applied.",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        body = request.data
        try:
            rows = self.rows_from(request, body)
            summary = import_org(
                rows=rows,
                deactivate_missing=flag(request, "deactivate_missing", body),
                dry_run=flag(request, "dry_run", body),
                actor=acting_login(request.user),
            )
        except OrgFileInvalid as invalid:
            raise rejected_file(invalid) from invalid
        except OrgFileTooLarge as too_large:
            raise PayloadTooLarge(str(too_large)) from too_large
        return Response(ImportSummarySerializer(summary.__dict__).data)

    def rows_from(self, request: Request, body: object) -> list[OrgRow]:
        if isinstance(body, bytes):
            return parse_csv(body)
        if isinstance(body, list):
            return parse_records(body)
        if isinstance(body, dict) and isinstance(body.get("people"), list):
            return parse_records(body["people"])
        upload = request.FILES.get("file")
        if upload is not None:
            check_size(upload.size or 0)  # before reading it into memory
            return parse_csv(upload.read())
        raise OrgFileInvalid([RowError(1, None, NOTHING_SENT)])


INVALID_ORG_FILE = "invalid_org_file"


def rejected_file(invalid: OrgFileInvalid) -> DetailedValidationError:
    """Nothing was applied: how many problems there are, and the first ones, each with its
    line, column and reason."""
    return DetailedValidationError(
        rejection_message(invalid.summary, invalid.errors),
        code=INVALID_ORG_FILE,
        extra=rejection_extra(invalid.errors, invalid.count),
    )


def rejection_message(summary: str, errors: list[RowError]) -> str:
    return f"The org file has {summary}; nothing was imported. {errors[0]}."


def rejection_extra(errors: list[RowError], count: int) -> dict[str, object]:
    return {"rows": RowErrorSerializer(errors, many=True).data, "problems": count}
