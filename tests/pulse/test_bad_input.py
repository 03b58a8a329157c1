"""A respondent's link and a manager's query strings, sent malformed: a 4xx that says what is
wrong, never a 500, and a link that still works afterwards."""

import json
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client, override_settings

from pulse.models import ReleasedUnit
from surveys.models import Cycle
from tests.test_api_errors import error_of
from tests.test_bad_input import DEEP, post_json

pytestmark = pytest.mark.django_db

# Digits to str.isdigit(), but not to int(), or not ASCII: "²", Arabic-Indic three, Devanagari
# one, full-width seven; and more digits than int() reads.
NOT_ASCII_DIGITS = ["²", "٣", "१", "\uff17", "1" * 5000]


def test_a_deep_answer_leaves_the_link_as_good_as_it_was(survey, company) -> None:
    token = survey.token(company["platform"][0].email)
    body = error_of(post_json(Client(), f"/api/v1/pulse/{token}", DEEP), 400)
    assert body["code"] == "too_deep"
    question = survey.cycle.items.first().key
    good = json.dumps({"answers": {question: 5}, "enps": 8})
    assert post_json(Client(), f"/api/v1/pulse/{token}", good).status_code == 201


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10_000)
def test_a_json_body_larger_than_the_address_takes_is_refused_unread(hr, survey, company) -> None:
    token = survey.token(company["platform"][0].email)
    huge = json.dumps({"answers": {}, "comment": "x" * 20_000})
    body = error_of(post_json(Client(), f"/api/v1/pulse/{token}", huge), 413)
    assert body["code"] == "too_large"
    assert "larger than 10,000 bytes" in body["message"]
    assert error_of(post_json(hr, "/api/v1/cadences/", huge), 413)["code"] == "too_large"


@pytest.fixture
def daniel() -> Client:
    """Daniel leads Engineering in the demo company, which has released results."""
    call_command("seed_demo", stdout=StringIO())
    client = Client()
    client.force_login(User.objects.get(username="daniel.novak@example.com"))
    return client


def test_a_cycle_id_in_other_digits_is_a_field_error_on_the_results_api(daniel) -> None:
    for value in NOT_ASCII_DIGITS:
        body = error_of(daniel.get("/api/v1/results/", {"cycle": value}), 400)
        assert body["fields"] == {
            "cycle": ["Give the id of a released cycle in digits 0-9, e.g. ?cycle=3."]
        }, value
    cycle = Cycle.objects.filter(release__isnull=False).first()
    assert cycle is not None
    assert daniel.get("/api/v1/results/", {"cycle": str(cycle.pk)}).status_code == 200


def test_a_unit_id_longer_than_any_id_is_not_found_on_the_trend_api(daniel) -> None:
    unit = ReleasedUnit.objects.filter(unit__name="Engineering").first()
    assert unit is not None
    assert daniel.get(f"/api/v1/results/{unit.unit_id}/trend").status_code == 200
    body = error_of(daniel.get(f"/api/v1/results/{'9' * 5000}/trend"), 404)
    assert body["message"] == "No such unit."


def test_the_dashboard_answers_not_found_for_a_unit_or_cycle_in_other_digits(daniel) -> None:
    assert daniel.get("/dashboard/").status_code == 200
    for value in NOT_ASCII_DIGITS:
        assert daniel.get("/dashboard/", {"unit": value}).status_code == 404, value
        assert daniel.get("/dashboard/", {"cycle": value}).status_code == 404, value
