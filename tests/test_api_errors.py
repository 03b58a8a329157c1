"""Every refusal of the API has one body, {"code", "message", "fields"}, whatever refused it."""

import json

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from rest_framework import exceptions
from rest_framework.authentication import BasicAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from common.api_exceptions import Conflict, Gone

pytestmark = pytest.mark.django_db

VALID = {"name": "Monthly pulse", "kind": "monthly", "time_zone": "Europe/Berlin"}


def error_of(response, status: int) -> dict:
    """The body, after checking the status and that the body has exactly the shared keys."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert set(body) >= {"code", "message", "fields"}, body
    assert isinstance(body["code"], str) and body["code"]
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["fields"], dict)
    return body


def test_invalid_settings_name_each_field_and_its_reasons(hr) -> None:
    response = hr.post("/api/v1/cadences/", {**VALID, "k": 2, "send_hour": 24}, format="json")
    body = error_of(response, 400)
    assert body["code"] == "invalid"
    assert body["fields"] == {
        "k": ["The minimum group size k must be at least 3."],
        "send_hour": ["The send hour must be between 0 and 23."],
    }
    assert set(body) == {"code", "message", "fields"}


def test_broken_json_is_a_parse_error_without_fields(hr) -> None:
    response = hr.generic(
        "POST", "/api/v1/cadences/", '{"name": "x",', content_type="application/json"
    )
    body = error_of(response, 400)
    assert body["code"] == "parse_error"
    assert "JSON parse error" in body["message"]
    assert body["fields"] == {}


def test_anonymous_and_non_hr_callers_are_told_apart(db) -> None:
    anonymous = error_of(APIClient().get("/api/v1/cadences/"), 401)
    assert anonymous["code"] == "not_authenticated"
    grace = User.objects.create_user("grace", "grace@example.com", "pw")
    client = APIClient()
    client.force_authenticate(grace)
    refused = error_of(client.get("/api/v1/cadences/"), 403)
    assert refused["code"] == "permission_denied"


def test_wrong_basic_credentials_are_an_authentication_failure(db) -> None:
    User.objects.create_user("hannah", "hannah@example.com", "pw")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Basic aGFubmFoOndyb25n")  # hannah:wrong
    body = error_of(client.get("/api/v1/cadences/"), 401)
    assert body["code"] == "authentication_failed"
    assert "password" in body["message"]


def test_an_unknown_object_is_not_found(hr) -> None:
    body = error_of(hr.get("/api/v1/cadences/424242/"), 404)
    assert body == {
        "code": "not_found",
        "message": "Not found.",
        "fields": {},
    }


def test_an_address_no_operation_has_is_a_json_404_for_any_method(hr) -> None:
    for response in (hr.get("/api/v1/cadences/0.5/"), hr.post("/api/v1/nothing-here")):
        body = error_of(response, 404)
        assert body["code"] == "not_found"
        assert "/api/docs/" in body["message"]


def test_a_method_the_resource_does_not_have_is_refused_by_name(hr) -> None:
    cadence_id = hr.post("/api/v1/cadences/", VALID, format="json").json()["id"]
    body = error_of(hr.delete(f"/api/v1/cadences/{cadence_id}/"), 405)
    assert body["code"] == "method_not_allowed"
    assert '"DELETE"' in body["message"]


def test_a_body_in_an_unsupported_format_is_refused(hr) -> None:
    response = hr.generic("POST", "/api/v1/cadences/", "name=x", content_type="text/plain")
    body = error_of(response, 415)
    assert body["code"] == "unsupported_media_type"
    assert "text/plain" in body["message"]


def test_a_second_launch_in_the_period_is_a_conflict_with_a_reason(hr) -> None:
    from tests.org_builder import build_org

    build_org("Ada > Grace > [Alan, Barbara, Claude, Dana, Edsger, Frances]")
    cadence_id = hr.post("/api/v1/cadences/", VALID, format="json").json()["id"]
    assert hr.post(f"/api/v1/cadences/{cadence_id}/launch").status_code == 201
    body = error_of(hr.post(f"/api/v1/cadences/{cadence_id}/launch"), 409)
    assert body["code"] == "cannot_launch"
    assert "already has a cycle" in body["message"]


def test_an_org_file_with_problems_keeps_each_line_column_and_reason(hr) -> None:
    csv = (
        "employee_id,email,name,manager_id\n"
        "A1,ada@example.com,Ada,\n"
        "G2,grace@,Grace,A1\n"
        "X9,x@example.com,X,NOBODY\n"
    )
    upload = SimpleUploadedFile("people.csv", csv.encode(), content_type="text/csv")
    body = error_of(hr.post("/api/v1/org/import", {"file": upload}, format="multipart"), 400)
    assert body["code"] == "invalid_org_file"
    assert body["message"].startswith("The org file has 2 problems; nothing was imported.")
    assert body["rows"] == [
        {"line": 3, "column": "email", "message": '"grace@" is not a valid email address'},
        {
            "line": 4,
            "column": "manager_id",
            "message": '"NOBODY" is not an employee_id in this file',
        },
    ]


class Raises(APIView):
    """A view standing for any view of the API, raising what it is given."""

    permission_classes = [IsAuthenticated]
    authentication_classes = [BasicAuthentication]
    throttle_classes: list = []
    to_raise: Exception = RuntimeError()

    def get(self, request: Request) -> Response:
        raise self.to_raise


def raised(to_raise: Exception, *, authenticated: bool = True) -> Response:
    request = APIRequestFactory().get("/api/v1/anything")
    if authenticated:
        from rest_framework.test import force_authenticate

        force_authenticate(request, user=User(username="hannah"))
    response = Raises.as_view(to_raise=to_raise)(request)
    response.render()
    return response


@pytest.mark.parametrize(
    ("to_raise", "status", "code", "message"),
    [
        (Http404("gone fishing"), 404, "not_found", "Not found."),
        (DjangoPermissionDenied(), 403, "permission_denied", "permission"),
        (exceptions.NotFound("No such unit."), 404, "not_found", "No such unit."),
        (Gone("This link has been used."), 410, "gone", "This link has been used."),
        (Conflict("Already closed.", code="already_closed"), 409, "already_closed", "Already"),
        (exceptions.Throttled(wait=7), 429, "throttled", "7 seconds"),
        (exceptions.ValidationError({"cycle": "Give an id."}), 400, "invalid", "see fields"),
        (
            exceptions.ValidationError("Out of range.", code="out_of_range"),
            400,
            "out_of_range",
            "Out of range.",
        ),
    ],
)
def test_whatever_a_view_raises_comes_out_in_the_one_shape(to_raise, status, code, message) -> None:
    body = error_of(raised(to_raise), status)
    assert body["code"] == code
    assert message in body["message"]


def test_field_errors_from_any_view_land_in_fields_nested_names_dotted() -> None:
    detail: dict[str, list[str] | dict[str, list[str]]] = {
        "cycle": ["Give an id."],
        "answers": {"q1": ["Out of range."]},
    }
    body = error_of(raised(exceptions.ValidationError(detail)), 400)
    assert body["fields"] == {"cycle": ["Give an id."], "answers.q1": ["Out of range."]}


def test_a_client_that_must_log_in_gets_401_with_a_challenge() -> None:
    response = raised(exceptions.NotAuthenticated(), authenticated=False)
    body = error_of(response, 401)
    assert body["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Basic")


def test_a_throttled_client_is_told_when_to_come_back() -> None:
    response = raised(exceptions.Throttled(wait=7))
    assert response["Retry-After"] == "7"


def test_unexpected_errors_are_not_dressed_up_as_api_errors() -> None:
    with pytest.raises(ZeroDivisionError):
        raised(ZeroDivisionError())


def test_the_schema_describes_the_error_body_once_and_every_operation_points_at_it(hr) -> None:
    schema = hr.get("/api/schema/", {"format": "json"}).json()
    error = schema["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"code", "message", "fields"}
    ref = {"$ref": "#/components/schemas/Error"}

    def body_of(path: str, method: str, status: str) -> dict:
        return schema["paths"][path][method]["responses"][status]["content"]["application/json"][
            "schema"
        ]

    assert body_of("/api/v1/cadences/", "post", "400") == ref
    assert body_of("/api/v1/cadences/", "post", "415") == ref
    assert body_of("/api/v1/cadences/{id}/", "get", "404") == ref
    assert body_of("/api/v1/cadences/{id}/", "get", "403") == ref
    assert body_of("/api/v1/cadences/{id}/launch/", "post", "409") == ref
    assert body_of("/api/v1/cycles/", "get", "429") == ref
    import_400 = body_of("/api/v1/org/import/", "post", "400")["$ref"]
    rows = schema["components"]["schemas"][import_400.rsplit("/", 1)[1]]
    assert {"code", "message", "fields", "rows"} <= set(rows["properties"])
