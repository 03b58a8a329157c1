"""Org files that break readers: a field longer than the csv module takes, a NUL byte, a quote
never closed, a file far too large, a problem on every line. Each is refused with its line and
column and what to do, through the command and the API alike, and nothing is imported."""

import json
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import override_settings

from teams.models import Person
from tests.teams.test_org_import import GOOD, refused, write
from tests.test_api_errors import error_of

pytestmark = pytest.mark.django_db

HEADER = "employee_id,email,name,manager_id\n"


def upload(hr, text: str | bytes):
    data = text.encode() if isinstance(text, str) else text
    file = SimpleUploadedFile("people.csv", data, content_type="text/csv")
    return hr.post("/api/v1/org/import", {"file": file}, format="multipart")


def test_a_field_longer_than_the_csv_module_takes_is_named_by_line_and_column(tmp_path, hr) -> None:
    text = HEADER + "A1,ada@example.com,Ada,\n" + f"B2,b@example.com,{'x' * 200_000},A1\n"
    assert refused(tmp_path, text) == [
        "line 3, column name: is 200,000 characters long; at most 200"
    ]
    body = error_of(upload(hr, text), 400)
    assert body["rows"] == [
        {"line": 3, "column": "name", "message": "is 200,000 characters long; at most 200"}
    ]


def test_a_long_value_is_quoted_back_cut_short(tmp_path) -> None:
    text = HEADER + f"A1,{'a' * 300}@,Ada,\n"
    (problem,) = [p for p in refused(tmp_path, text) if "not a valid email" in p]
    assert problem == f'line 2, column email: "{"a" * 40}…" is not a valid email address'


def test_a_nul_byte_anywhere_is_named_by_line_and_column(tmp_path, hr) -> None:
    text = GOOD.replace("Grace Hopper", "Grace\x00Hopper")
    expected = (
        "contains a NUL character (byte 0x00) at character 6; remove it (exports sometimes "
        "leave one) and save the file again"
    )
    assert refused(tmp_path, text) == [f"line 3, column name: {expected}"]
    assert error_of(upload(hr, text), 400)["rows"] == [
        {"line": 3, "column": "name", "message": expected}
    ]
    in_header = refused(tmp_path, GOOD.replace("email", "em\x00ail", 1))
    assert in_header == [f"line 1, column 2: the header {expected.replace('6', '3', 1)}"]
    assert not Person.objects.exists()


def test_json_people_with_a_nul_or_half_a_surrogate_pair_are_refused_by_field(hr) -> None:
    people = [
        {"employee_id": "A1", "email": "ada@example.com", "name": "Ada\u0000", "manager_id": ""},
        {"employee_id": "G2", "email": "g@example.com", "name": "Gr\ud800ce", "manager_id": "A1"},
    ]
    # As a client sends them: escaped (\u0000, \ud800), which json.dumps does by default.
    sent = json.dumps(people)
    response = hr.generic("POST", "/api/v1/org/import", sent, content_type="application/json")
    body = error_of(response, 400)
    assert [(row["line"], row["column"]) for row in body["rows"]] == [(1, "name"), (2, "name")]
    assert "NUL character" in body["rows"][0]["message"]
    assert "U+D800 at character 3, half of a surrogate pair" in body["rows"][1]["message"]
    assert not Person.objects.exists()


def test_a_quote_never_closed_points_at_the_line_where_it_opened(tmp_path) -> None:
    text = HEADER + 'A1,ada@example.com,"Ada,\nG2,grace@example.com,Grace,A1\n'
    (problem,) = refused(tmp_path, text)
    assert problem.startswith("line 3: has 3 fields, but the header has 4")
    assert problem.endswith('it starts on line 2: look there for a quote (") that is not closed')


def every_line_wrong(lines: int) -> str:
    return HEADER + "".join(f"P{n},p{n}@example.com,Person {n}\n" for n in range(lines))


def test_a_problem_on_every_line_lists_the_first_hundred_and_counts_the_rest(tmp_path, hr) -> None:
    text = every_line_wrong(2500)
    body = error_of(upload(hr, text), 400)
    assert body["problems"] == 2500
    assert len(body["rows"]) == 100
    assert [row["line"] for row in body["rows"]] == list(range(2, 102))
    assert body["message"].startswith(
        "The org file has 2,500 problems (the first 100 are listed); nothing was imported."
    )
    err = StringIO()
    with pytest.raises(CommandError) as refusal:
        call_command("import_org", str(write(tmp_path, text)), stderr=err)
    assert len(err.getvalue().splitlines()) == 100
    assert str(refusal.value) == (
        "2,500 problems (the first 100 are listed) found; nothing was imported."
    )


@override_settings(PULSE_ORG_FILE_MAX_BYTES=1000)
def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path, hr) -> None:
    text = every_line_wrong(40)
    assert len(text) > 1000
    with pytest.raises(CommandError, match="PULSE_ORG_FILE_MAX_BYTES"):
        call_command("import_org", str(write(tmp_path, text)))
    for response in (
        upload(hr, text),
        hr.generic("POST", "/api/v1/org/import", text, content_type="text/csv"),
        hr.post("/api/v1/org/import", [{"employee_id": "x" * 1000}], format="json"),
    ):
        body = error_of(response, 413)
        assert body["code"] == "too_large"
    assert "PULSE_ORG_FILE_MAX_BYTES" in error_of(upload(hr, text), 413)["message"]


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_json_org_chart_may_be_larger_than_other_requests(hr) -> None:
    people = [
        {"employee_id": f"P{n}", "email": f"p{n}@example.com", "name": f"Person {n}"}
        for n in range(40)
    ]
    people[0]["manager_id"] = ""
    for person in people[1:]:
        person["manager_id"] = "P0"
    assert len(json.dumps(people)) > 1000
    response = hr.post("/api/v1/org/import", people, format="json")
    assert response.status_code == 200, response.content
    assert Person.objects.count() == 40
