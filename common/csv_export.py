"""CSV for the API's results and exports: the same payload as the JSON, as a table.

A view lists `CSVRenderer` beside the JSON renderer (or is a `CSVOrJSONView`, whose refusals are
the one JSON error body of config.api_errors even when CSV was asked for). A client asks with
`Accept: text/csv` or `?format=csv`. The rows are the JSON's objects, flattened: a nested object
becomes dotted columns (`domains.inclusivity.score`), a list of plain values one cell joined by
"; ", nothing an empty cell. So the CSV carries exactly the figures the JSON carries, under the
same disclosure rules, and never more precision.
"""

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> object:
    """A spreadsheet reads a text starting with =, +, - or @ as a formula: names and
    commitments are people's words, so they are kept as text. Numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def flatten(value: object, prefix: str = "") -> dict[str, object]:
    if isinstance(value, Mapping):
        flat: dict[str, object] = {}
        for key, inner in value.items():
            flat.update(flatten(inner, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(value, list | tuple):
        if all(not isinstance(item, Mapping | list | tuple) for item in value):
            return {prefix: "; ".join("" if item is None else str(item) for item in value)}
        # Objects in a list: one numbered group of columns per object.
        flat = {}
        for position, item in enumerate(value, start=1):
            flat.update(flatten(item, f"{prefix}.{position}"))
        return flat
    return {prefix: "" if value is None else value}


def table(rows: Iterable[Mapping[str, Any]], columns: list[str] | None = None) -> str:
    flat_rows = [flatten(row) for row in rows]
    header = list(columns or [])
    for row in flat_rows:
        header += [column for column in row if column not in header]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in flat_rows:
        writer.writerow(cell(row.get(column, "")) for column in header)
    return out.getvalue()


class CSVRenderer(BaseRenderer):
    """`text/csv`: a list of objects (or one object: one row) as a table; text as it is, for
    a view that writes its own CSV. The view's `csv_columns` puts those columns first, so a
    table whose first rows are hidden units still starts with the figures' columns."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self,
        data: object,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if isinstance(data, str):
            return data.encode()
        if data is None:
            return b""
        view = (renderer_context or {}).get("view")
        columns = list(getattr(view, "csv_columns", None) or [])
        rows = data if isinstance(data, list) else [data]
        return table([row for row in rows if isinstance(row, Mapping)], columns).encode()


class CSVOrJSONView(APIView):
    """An APIView that answers JSON or CSV; its errors keep the API's JSON body."""

    renderer_classes = [JSONRenderer, CSVRenderer]

    def finalize_response(
        self, request: Request, response: Response, *args: object, **kwargs: object
    ) -> Response:
        if response.exception:
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)
