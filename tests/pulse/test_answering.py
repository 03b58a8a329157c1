"""An engineer opens the emailed link on a phone, answers, and is thanked; the link then
works no more. Mail scanners that open links first consume nothing."""

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.utils.html import escape

from pulse.models import PendingBallot
from tests.anonymity.conftest import form_answers

pytestmark = pytest.mark.django_db


def test_opening_the_link_shows_every_question_and_uses_nothing_up(client, survey, company) -> None:
    token = survey.token(company["platform"][0].email)
    for _ in range(3):  # a mail scanner, a preview, the person
        page = client.get(f"/a/{token}/")
        assert page.status_code == 200
    html = page.content.decode()
    for item in survey.cycle.items.all():
        assert escape(item.text) in html
    assert html.count("<fieldset") == survey.cycle.items.count() + 1  # and eNPS
    assert "at least 5 people" in html and "at least 10 people" in html
    assert 'href="/anonymity/"' in html
    # One script, the progress bar's, from the site itself; the page works without it.
    assert html.count("<script") == 1 and '<script src="/static/pulse/answer_progress.js"' in html
    assert "style=" not in html
    assert not PendingBallot.objects.exists()
    assert page["Cache-Control"] == "no-store" and page["Referrer-Policy"] == "no-referrer"
    assert "unsafe-inline" not in page["Content-Security-Policy"]


def test_answering_thanks_the_person_and_the_link_is_then_used(client, survey, company) -> None:
    token = survey.token(company["platform"][0].email)
    done = client.post(
        f"/a/{token}/", form_answers(survey, [6, 5, 7, 6], enps=9, comment="Good team")
    )
    assert done.status_code == 200
    assert "Thank you" in done.content.decode()
    assert PendingBallot.objects.count() == 1
    again = client.get(f"/a/{token}/")
    assert again.status_code == 410
    assert "already been answered" in again.content.decode()
    assert client.post(f"/a/{token}/", form_answers(survey, [1])).status_code == 410
    assert PendingBallot.objects.count() == 1


def test_skipping_all_but_one_question_is_allowed(client, survey, company) -> None:
    token = survey.token(company["platform"][1].email)
    assert "Thank you" in client.post(f"/a/{token}/", form_answers(survey, [4])).content.decode()
    assert PendingBallot.objects.count() == 1


def test_a_validation_error_keeps_everything_entered(client, survey, company) -> None:
    token = survey.token(company["platform"][2].email)
    data = form_answers(survey, [6, 5], enps=8, comment="x" * 2001)
    page = client.post(f"/a/{token}/", data)
    assert page.status_code == 400
    html = page.content.decode()
    assert "nothing has been sent yet" in html
    assert html.count(" checked") == 3  # two items and eNPS still chosen
    assert "x" * 2001 in html
    assert not PendingBallot.objects.exists()
    assert client.get(f"/a/{token}/").status_code == 200, "the link still works"


def test_unknown_and_closed_links_get_calm_pages_that_reveal_nothing(
    client, survey, company
) -> None:
    unknown = client.get("/a/this-link-was-never-sent-to-anyone-at-all/")
    assert unknown.status_code == 404
    assert "not recognised" in unknown.content.decode()
    assert survey.cycle.cadence.name not in unknown.content.decode()
    from surveys.closing import close_cycle

    token = survey.token(company["data"][0].email)
    close_cycle(cycle_id=survey.cycle.pk)
    closed = client.get(f"/a/{token}/")
    assert closed.status_code == 404  # the digests are gone at close: the link is now unknown


def test_the_json_flow_lists_questions_answers_once_and_explains_refusals(
    client, survey, company
) -> None:
    token = survey.token(company["data"][1].email)
    listing = client.get(f"/api/v1/pulse/{token}")
    assert listing.status_code == 200
    body = listing.json()
    assert [q["key"] for q in body["questions"]] == [i.key for i in survey.cycle.items.all()]
    assert body["k"] == 5 and body["scale"]["7"] == "Strongly agree"
    first_key = body["questions"][0]["key"]

    bad = client.post(
        f"/api/v1/pulse/{token}",
        {"answers": {first_key: 9, "nope": 3}, "enps": 11},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert set(field_errors(bad)) == {first_key, "nope", "enps"}
    assert "not a question of this survey" in bad.content.decode()
    assert not PendingBallot.objects.exists()
    not_an_object = client.post(f"/api/v1/pulse/{token}", [7], content_type="application/json")
    assert not_an_object.status_code == 400 and "JSON object" in not_an_object.content.decode()
    broken = client.post(f"/api/v1/pulse/{token}", "{answers", content_type="application/json")
    assert broken.status_code == 400 and "JSON parse error" in broken.content.decode()
    as_a_form = client.post(f"/api/v1/pulse/{token}", {"enps": "7"})
    assert as_a_form.status_code == 415 and "media type" in as_a_form.content.decode()
    unknown_link_and_bad_answers = client.post(
        "/api/v1/pulse/unknown-link-of-plausible-length-xx",
        {"answers": {first_key: 9}},
        content_type="application/json",
    )
    assert unknown_link_and_bad_answers.status_code == 404

    ok = client.post(
        f"/api/v1/pulse/{token}",
        {"answers": {first_key: 7}, "enps": 10},
        content_type="application/json",
    )
    assert ok.status_code == 201
    again = client.post(f"/api/v1/pulse/{token}", {}, content_type="application/json")
    assert again.status_code == 410
    assert again.json()["code"] == "link_used" and "already been used" in again.json()["message"]
    assert client.get("/api/v1/pulse/unknown-link-of-plausible-length-xx").status_code == 404
    assert not ok.cookies


def field_errors(response) -> dict:
    """The per-field errors of an API error body."""
    return response.json()["fields"]


def test_the_anonymity_page_explains_the_promises(client, db) -> None:
    page = client.get("/anonymity/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Can my manager see my answer?" in html
    assert "<table>" in html


def test_invitation_emails_carry_no_tracking(survey) -> None:
    for message in mail.outbox:
        assert isinstance(message, EmailMultiAlternatives)
        html = str(message.alternatives[0][0])
        assert "<img" not in html
        links = [part.split('"')[0] for part in html.split('href="')[1:]]
        assert links and all(link.startswith("http://localhost:8000/a/") for link in links)


def test_the_page_says_how_long_the_survey_takes_as_the_email_did(client, survey, company) -> None:
    engineer = company["platform"][0].email
    subject = next(message.subject for message in mail.outbox if message.to == [engineer])
    how_long = subject.removeprefix("Your team pulse: ").removesuffix(", anonymous")
    questions = survey.cycle.items.count() + 1  # and eNPS
    assert how_long == f"{questions} questions, about a minute"
    html = client.get(f"/a/{survey.token(engineer)}/").content.decode()
    assert f"{how_long}; the comment at the end is optional" in html
    assert f"Question 1 of {questions}" in html and f"Question {questions} of {questions}" in html
