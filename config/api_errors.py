"""One error body for the whole API: `{"code", "message", "fields"}`.

Every DRF `APIException` raised by a view under /api/v1/ (and Django's `Http404` and
`PermissionDenied`) is rendered here, so a client (HR's scripts, the answer page's JavaScript)
reads every refusal the same way: `code` is stable and meant for programs, `message` is a
sentence for people, `fields` maps an input field to what is wrong with it. A view that needs
to say more (the org import names the line and column of each problem) raises an exception with
`extra`, whose keys join the body.

Unexpected exceptions are not handled: they stay 500s, reported by Django without the request
body (see config.settings' logging).
"""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import Direction, OpenApiResponse
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from common.api_exceptions import ErrorSerializer, PayloadTooLarge

INVALID_MESSAGE = "Some of what was sent is not valid; see fields."


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """REST_FRAMEWORK's EXCEPTION_HANDLER: DRF's handler for headers and status (Retry-After,
    WWW-Authenticate, rollback), then the body rewritten to the one error shape."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        # A form body over DATA_UPLOAD_MAX_MEMORY_SIZE: Django's bare 400 page otherwise.
        exc = PayloadTooLarge("The request body is larger than this address accepts.")
    elif isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        exc = exceptions.ParseError(str(exc), code="too_many_fields")
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    response.data = error_body(exc)
    return response


def error_body(exc: exceptions.APIException) -> dict[str, Any]:
    if isinstance(exc, exceptions.ValidationError):
        body = validation_body(exc.detail)
    else:
        body = {"code": main_code(exc), "message": str(exc.detail), "fields": {}}
    body.update(getattr(exc, "extra", {}))
    return body


def main_code(exc: exceptions.APIException) -> str:
    codes = exc.get_codes()
    return codes if isinstance(codes, str) else exc.default_code


def validation_body(detail: Any) -> dict[str, Any]:
    """A ValidationError's detail is a string, a list, or a (nested) dict of them: the field
    problems go to `fields` (nested names joined with dots), the rest makes the message."""
    fields: dict[str, list[str]] = {}
    general: list[str] = []
    codes: list[str] = []

    def collect(node: Any, name: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                collect(value, f"{name}.{key}" if name else str(key))
        elif isinstance(node, list):
            for position, value in enumerate(node):
                is_nested = isinstance(value, dict | list)
                collect(value, f"{name}.{position}" if is_nested and name else name)
        else:
            codes.append(getattr(node, "code", None) or "invalid")
            if name in ("", "non_field_errors"):
                general.append(str(node))
            else:
                fields.setdefault(name, []).append(str(node))

    collect(detail, "")
    code = codes[0] if len(set(codes)) == 1 and not fields else "invalid"
    return {
        "code": code,
        "message": " ".join(general) if general else INVALID_MESSAGE,
        "fields": fields,
    }


ERROR = OpenApiResponse(ErrorSerializer, description="Refused; see code and message.")


class ErrorAwareAutoSchema(AutoSchema):
    """Every operation documents the errors it can return, all with the shared Error body."""

    def _get_response_bodies(self, direction: Direction = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for code in self.error_statuses():
            responses.setdefault(code, self._get_response_for_code(ERROR, code))
        return responses

    def error_statuses(self) -> list[str]:
        codes = []
        if self.method in ("POST", "PUT", "PATCH"):
            codes += ["400", "413", "415"]
        permissions = getattr(self.view, "permission_classes", [])
        if any(permission is not AllowAny for permission in permissions):
            codes += ["401", "403"]
        if "{" in self.path:
            codes.append("404")
        if getattr(self.view, "throttle_classes", None):
            codes.append("429")
        return codes


class UnknownAddress(APIView):
    """The last route under /api/v1/: an address no route matches is a 404 in the error body,
    not Django's HTML page, whatever the method."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []
    schema = None  # not an operation of the API

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        raise exceptions.NotFound("No API operation has this address; see /api/docs/.")
