"""The one JSON parser of the API: DRF's rules, plus limits on size and depth.

DRF's JSONParser lets the RecursionError of a body nested 100,000 deep escape as a 500, and is
held to DATA_UPLOAD_MAX_MEMORY_SIZE for every view (DRF reads a JSONParser's body through
request.body), so the org import could not take a large organisation as JSON. This parser is
not a JSONParser subclass on purpose: DRF hands it the request stream, of which it reads at
most the view's limit (`max_body_bytes`, else DATA_UPLOAD_MAX_MEMORY_SIZE), and it answers a
body that is too large (413) or too deep (400) in the API's error body before any view code
sees it.
"""

from collections.abc import Iterable, Mapping
from typing import IO, Any

from django.conf import settings
from rest_framework import parsers, renderers
from rest_framework.exceptions import ParseError
from rest_framework.settings import api_settings
from rest_framework.utils import json

from common.api_exceptions import PayloadTooLarge

# No request of the API nests deeper than three levels (an org chart: {"people": [{...}]}).
MAX_DEPTH = 20


def too_deep(data: object, limit: int = MAX_DEPTH) -> bool:
    """Whether `data` nests lists and objects more than `limit` deep (walked without recursion,
    so it cannot itself overflow the stack)."""
    waiting: list[tuple[object, int]] = [(data, 1)]
    while waiting:
        node, depth = waiting.pop()
        for child in children_of(node):
            if isinstance(child, dict | list):
                if depth + 1 > limit:
                    return True
                waiting.append((child, depth + 1))
    return False


def children_of(node: object) -> Iterable[object]:
    if isinstance(node, dict):
        return node.values()
    return node if isinstance(node, list) else ()


def text_encoding(parser_context: Mapping[str, Any] | None) -> str:
    """The request's charset, as DRF checks it: a text codec only (a bytes-to-bytes one such as
    bz2_codec would inflate the body after its size was checked)."""
    encoding = str((parser_context or {}).get("encoding") or settings.DEFAULT_CHARSET)
    try:
        "".encode(encoding)
    except (LookupError, UnicodeError):
        raise ParseError(f'Unsupported charset "{encoding}" in the Content-Type header.') from None
    return encoding


def body_limit(parser_context: Mapping[str, Any] | None) -> int:
    """The most bytes a view accepts: its `max_body_bytes`, else DATA_UPLOAD_MAX_MEMORY_SIZE."""
    view = (parser_context or {}).get("view")
    limit = getattr(view, "max_body_bytes", None)
    return int(limit or settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


def read_limited(stream: IO[bytes], limit: int) -> bytes:
    body = stream.read(limit + 1)
    if len(body) > limit:
        raise PayloadTooLarge(
            f"The request body is larger than {limit:,} bytes, the most this address accepts."
        )
    return body


class BoundedJSONParser(parsers.BaseParser):
    """REST_FRAMEWORK's only JSON parser (and PulseView's): DRF's JSONParser, with a body too
    large or too deeply nested refused with a clear message."""

    media_type = "application/json"
    renderer_class = renderers.JSONRenderer
    strict = api_settings.STRICT_JSON

    def parse(
        self,
        stream: IO[bytes],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        encoding = text_encoding(parser_context)
        body = read_limited(stream, body_limit(parser_context))
        parse_constant = json.strict_constant if self.strict else None
        try:
            data = json.loads(body.decode(encoding), parse_constant=parse_constant)
        except ValueError as error:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
            raise ParseError(f"JSON parse error - {error}") from None
        except RecursionError:
            raise nested_too_deep() from None
        if too_deep(data):
            raise nested_too_deep()
        return data


def nested_too_deep() -> ParseError:
    return ParseError(
        f"The JSON is nested more than {MAX_DEPTH} levels deep; no request of this API needs "
        "more than a few.",
        code="too_deep",
    )
