"""The same import over the API, for HR's scripts: CSV upload, CSV body, or JSON."""

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from teams.models import Person, Team
from tests.teams.test_org_import import GOOD

pytestmark = pytest.mark.django_db


def test_hr_uploads_a_csv_file_and_gets_the_summary(hr) -> None:
    upload = SimpleUploadedFile("people.csv", GOOD.encode(), content_type="text/csv")
    response = hr.post("/api/v1/org/import", {"file": upload}, format="multipart")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "created": 4,
        "updated": 0,
        "unchanged": 0,
        "deactivated": 0,
        "teams": 2,
        "dry_run": False,
    }
    assert Team.objects.values_list("parent__name", flat=True).get(name="Platform") == "Company"


def test_a_csv_body_works_and_deactivation_is_asked_for_in_the_query(hr) -> None:
    hr.generic("POST", "/api/v1/org/import", GOOD, content_type="text/csv")
    shorter = "\n".join(line for line in GOOD.splitlines() if not line.startswith("L3")) + "\n"
    response = hr.generic(
        "POST", "/api/v1/org/import?deactivate_missing=true", shorter, content_type="text/csv"
    )
    assert response.json()["deactivated"] == 1
    assert not Person.objects.get(employee_id="L3").active


def test_a_misspelt_dry_run_is_refused_rather_than_applying_the_import(hr) -> None:
    response = hr.generic("POST", "/api/v1/org/import?dry_run=ture", GOOD, content_type="text/csv")
    assert response.status_code == 400
    assert "dry_run='ture' is neither true" in response.json()["fields"]["dry_run"][0]
    assert not Person.objects.exists()


def test_json_people_import_and_report_errors_by_position(hr) -> None:
    people = [
        {"employee_id": "A1", "email": "ada@example.com", "name": "Ada", "manager_id": None},
        {"employee_id": "G2", "email": "grace@example.com", "name": "Grace", "manager_id": "A1"},
    ]
    assert hr.post("/api/v1/org/import", people, format="json").status_code == 200
    broken = [*people, {"employee_id": "X", "email": "nope", "name": "X", "manager_id": "Q"}]
    response = hr.post("/api/v1/org/import", {"people": broken}, format="json")
    assert response.status_code == 400
    assert response.json()["rows"] == [
        {"line": 3, "column": "email", "message": '"nope" is not a valid email address'},
        {"line": 3, "column": "manager_id", "message": '"Q" is not an employee_id in this file'},
    ]
    assert Person.objects.count() == 2


def test_a_broken_csv_upload_lists_every_problem_and_applies_nothing(hr) -> None:
    bad = GOOD.replace("grace@example.com", "grace@") + "X9,x@example.com,X,NOBODY,\n"
    response = hr.generic("POST", "/api/v1/org/import", bad, content_type="text/csv")
    assert response.status_code == 400
    assert [(e["line"], e["column"]) for e in response.json()["rows"]] == [
        (3, "email"),
        (6, "manager_id"),
    ]
    assert not Person.objects.exists()


def test_an_empty_request_says_what_to_send(hr) -> None:
    response = hr.post("/api/v1/org/import", {}, format="multipart")
    assert response.status_code == 400
    assert "send a CSV file" in response.json()["rows"][0]["message"]


def test_only_hr_may_import(db) -> None:
    grace = User.objects.create_user("grace", "grace@example.com", "pw")
    client = APIClient()
    client.force_authenticate(grace)
    assert (
        client.generic("POST", "/api/v1/org/import", GOOD, content_type="text/csv").status_code
        == 403
    )
    assert APIClient().generic(
        "POST", "/api/v1/org/import", GOOD, content_type="text/csv"
    ).status_code in (401, 403)
    assert not Person.objects.exists()


def test_the_api_docs_offer_a_file_upload_and_both_options(hr) -> None:
    schema = hr.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/org/import/"]["post"]
    upload = operation["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert upload["properties"]["file"] == {
        "type": "string",
        "format": "binary",
        "description": "The org chart as a UTF-8 CSV file.",
    }
    assert upload["required"] == ["file"]
    options = {(p["name"], p["in"], p["schema"]["type"]) for p in operation["parameters"]}
    assert options == {("dry_run", "query", "boolean"), ("deactivate_missing", "query", "boolean")}
