"""What the database could not store is refused at the door, by field, and the link still works.

An engineer pastes a comment with a NUL character (U+0000) or a lone surrogate (a "\\ud800" in
a script's JSON), or a script sends an answer in digits other than 0 to 9: each gets a 400 that
says which field and why, nothing is stored, and the same link then takes a good answer.
"""

import json

import pytest
from django.test import Client

from pulse.models import PendingBallot
from tests.anonymity.conftest import Survey, form_answers

pytestmark = pytest.mark.django_db


def post_json(token: str, body: str) -> tuple[int, dict]:
    # The body as text, so a lone surrogate travels as the JSON escape a script would send.
    response = Client().post(f"/api/v1/pulse/{token}", body, content_type="application/json")
    return response.status_code, response.json()


def first_question(survey: Survey) -> str:
    return survey.cycle.items.values_list("key", flat=True)[0]


def the_link_still_takes_an_answer(token: str, survey: Survey) -> None:
    status, _ = post_json(token, json.dumps({"answers": {first_question(survey): 5}}))
    assert status == 201
    assert PendingBallot.objects.count() == 1


@pytest.mark.parametrize(
    ("comment_json", "named"),
    [
        ('"we need \\u0000 to talk"', "a NUL character (U+0000)"),
        ('"we need \\ud800 to talk"', "a lone surrogate (U+D800)"),
        ('"\\udfff"', "a lone surrogate (U+DFFF)"),
    ],
)
def test_a_comment_the_database_cannot_store_is_refused_by_the_json_api(
    survey, company, comment_json, named
) -> None:
    token = survey.token(company["platform"][0].email)
    status, body = post_json(token, f'{{"enps": 8, "comment": {comment_json}}}')
    assert status == 400
    assert set(body["fields"]) == {"comment"}
    [message] = body["fields"]["comment"]
    assert named in message and "at character" in message
    assert not PendingBallot.objects.exists()
    the_link_still_takes_an_answer(token, survey)


def test_a_comment_with_a_nul_character_is_refused_by_the_answer_page(
    client, survey, company
) -> None:
    token = survey.token(company["platform"][1].email)
    response = client.post(
        f"/a/{token}/", form_answers(survey, [5, 6], comment="all good\x00 really")
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Your comment: contains a NUL character (U+0000), which cannot be stored" in page
    assert "\x00" not in page
    assert "all good\ufffd really" in page, "shown again, with the character marked"
    assert not PendingBallot.objects.exists()
    assert client.post(f"/a/{token}/", form_answers(survey, [5, 6])).status_code == 200
    assert PendingBallot.objects.count() == 1


def test_a_question_key_with_a_lone_surrogate_is_named_in_the_error_not_a_server_error(
    survey, company
) -> None:
    token = survey.token(company["platform"][2].email)
    status, body = post_json(token, '{"answers": {"x\\ud800": 5}}')
    assert status == 400
    assert body["fields"] == {"x\\ud800": ["is not a question of this survey"]}
    the_link_still_takes_an_answer(token, survey)


# Superscript two, Arabic-Indic three, fullwidth five, extended Arabic-Indic five: int() reads
# all but the first.
OTHER_DIGITS = ["\u00b2", "\u0663", "\uff15", "\u06f5"]


@pytest.mark.parametrize("digits", OTHER_DIGITS)
def test_an_answer_in_other_digits_than_0_to_9_is_a_field_error_by_json(
    survey, company, digits
) -> None:
    token = survey.token(company["platform"][3].email)
    question = first_question(survey)
    status, body = post_json(token, json.dumps({"answers": {question: digits}}))
    assert status == 400
    assert body["fields"] == {
        question: ["must be a whole number from 1 (strongly disagree) to 7 (strongly agree)"]
    }
    status, body = post_json(token, json.dumps({"enps": digits}))
    assert status == 400
    assert body["fields"] == {"enps": ["must be a whole number from 0 to 10"]}
    the_link_still_takes_an_answer(token, survey)


@pytest.mark.parametrize("digits", OTHER_DIGITS[:3])
def test_an_answer_in_other_digits_than_0_to_9_is_a_field_error_on_the_answer_page(
    client, survey, company, digits
) -> None:
    token = survey.token(company["platform"][4].email)
    question = survey.cycle.items.first()
    response = client.post(f"/a/{token}/", {f"item_{question.key}": digits, "enps": digits})
    assert response.status_code == 400
    page = response.content.decode()
    assert f"{question.text}: must be a whole number from 1" in page
    assert "How likely you are to recommend this team: must be a whole number from 0 to 10" in page
    assert not PendingBallot.objects.exists()
    assert client.post(f"/a/{token}/", form_answers(survey, [5])).status_code == 200


def test_digits_0_to_9_as_text_are_still_an_answer(survey, company) -> None:
    token = survey.token(company["platform"][5].email)
    status, _ = post_json(
        token, json.dumps({"answers": {first_question(survey): "6"}, "enps": "9"})
    )
    assert status == 201
