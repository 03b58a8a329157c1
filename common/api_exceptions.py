"""The API's own refusals, beside DRF's, and the one error body they all come out in.

config.api_errors renders every refusal (these and DRF's) as ErrorSerializer describes; the
apps raise them. They live here, below every app, so that any app may raise them.
"""

from typing import Any

from rest_framework import exceptions, serializers, status


class Gone(exceptions.APIException):
    """The thing existed but is used up for good (a survey link already answered)."""

    status_code = status.HTTP_410_GONE
    default_detail = "This is no longer available."
    default_code = "gone"


class Conflict(exceptions.APIException):
    """The request is well-formed but clashes with the current state (a cycle already closed)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "This clashes with the current state."
    default_code = "conflict"


class PayloadTooLarge(exceptions.APIException):
    """The body is larger than the address accepts; nothing of it was looked at."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


class DetailedValidationError(exceptions.ValidationError):
    """A 400 whose body carries more structure than fields can: `extra` joins the body."""

    def __init__(self, message: str, *, code: str, extra: dict[str, Any]) -> None:
        super().__init__(message, code=code)
        self.extra = extra


class ErrorSerializer(serializers.Serializer):
    """The body of every API error (component `Error` in the OpenAPI schema)."""

    code = serializers.CharField(
        help_text="Stable, for programs: e.g. invalid, not_found, permission_denied, "
        "not_authenticated, authentication_failed, method_not_allowed, unsupported_media_type, "
        "throttled, too_many_login_attempts, conflict, gone, too_large, too_deep, server_error."
    )
    message = serializers.CharField(help_text="What went wrong, in a sentence for people.")
    # The serializer's metaclass pops declared fields off the class, so this does not replace
    # Serializer.fields at run time; the stubs cannot see that and read it as an override.
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text="For invalid input: each field's problems. Empty otherwise.",
    )
