"""Priya opens her link and presses "send" without answering anything. She is asked whether she
means it; sending it empty anyway records nothing, uses nothing up and counts her nowhere, so
her link still works when she comes back to answer, and then she counts once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pulse.models import PendingBallot, Response
from pulse.sweep import sweep
from surveys.closing import close_cycle
from surveys.models import Invitation, InvitationToken
from tests.anonymity.conftest import form_answers

pytestmark = pytest.mark.django_db


def invitation_rows() -> list[tuple]:
    """Every column of every invitation and link digest, to see that nothing changed."""
    return [
        *Invitation.objects.order_by("pk").values_list(),
        *InvitationToken.objects.order_by("pk").values_list(),
    ]


@pytest.fixture
def priya(survey, company) -> str:
    return survey.token(company["platform"][0].email)


def test_an_empty_form_asks_before_anything_is_sent(client, survey, priya) -> None:
    before = invitation_rows()
    page = client.post(f"/a/{priya}/", {"enps": "", "comment": "   "})
    html = page.content.decode()
    assert page.status_code == 200
    assert "You have not answered anything. Send anyway?" in html
    assert 'href="#questions"' in html and "Send anyway</button>" in html
    assert html.count("<fieldset") == survey.cycle.items.count() + 1, "the questions are there"
    assert not PendingBallot.objects.exists()
    assert invitation_rows() == before, "the invitation and its link are untouched"
    assert client.get(f"/a/{priya}/").status_code == 200, "the link still works"


def test_sending_anyway_records_nothing_and_says_so(client, survey, priya) -> None:
    before = invitation_rows()
    page = client.post(f"/a/{priya}/", {"send_anyway": "1"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Nothing was recorded" in html
    assert "Your link still works until the survey closes on" in html
    assert not PendingBallot.objects.exists()
    assert invitation_rows() == before
    assert not Invitation.objects.filter(answered=True).exists()


def test_a_real_answer_after_an_empty_one_counts_once(client, survey, company, priya) -> None:
    client.post(f"/a/{priya}/", {})
    client.post(f"/a/{priya}/", {"send_anyway": "1"})
    done = client.post(f"/a/{priya}/", form_answers(survey, [6, 5]))
    assert "Thank you" in done.content.decode()
    assert PendingBallot.objects.count() == 1
    assert Invitation.objects.filter(answered=True).count() == 1
    # Four more of Platform answer, so Priya's unit reaches k and is stored at close.
    for engineer in company["platform"][1:5]:
        client.post(f"/a/{survey.token(engineer.email)}/", form_answers(survey, [4]))
    close_cycle(cycle_id=survey.cycle.pk)
    sweep()
    assert Response.objects.filter(cycle=survey.cycle).count() == 5


def test_an_empty_answer_counts_for_nobody_at_close(client, survey, company) -> None:
    """Four of Platform answer and a fifth sends the form empty: Platform has four respondents,
    fewer than k, so its answers join the company's three in the company's cell, as if the
    fifth had never come. Had the empty one been counted at close but not stored, Platform
    would have counted five and stored a cell of four."""
    for engineer in company["platform"][:4] + company["leads"][4:7]:
        client.post(f"/a/{survey.token(engineer.email)}/", form_answers(survey, [4, 4]))
    fifth = survey.token(company["platform"][4].email)
    client.post(f"/a/{fifth}/", {"send_anyway": "1"})
    assert Invitation.objects.filter(answered=True).count() == 7
    close_cycle(cycle_id=survey.cycle.pk)
    sweep()
    cells = list(
        Response.objects.filter(cycle=survey.cycle).values_list("reporting_unit", flat=True)
    )
    assert len(cells) == 7 and len(set(cells)) == 1, "one cell of seven, none of four"


@pytest.mark.parametrize(
    "sheet",
    [{"comment": "More pairing, please"}, {"enps": "8"}],
    ids=["only a comment", "only eNPS"],
)
def test_a_comment_or_an_enps_alone_is_an_answer(client, survey, priya, sheet) -> None:
    page = client.post(f"/a/{priya}/", sheet)
    assert "Thank you" in page.content.decode()
    assert PendingBallot.objects.count() == 1
    assert client.get(f"/a/{priya}/").status_code == 410


def test_the_api_refuses_an_empty_sheet_and_the_link_stays_usable(client, survey, priya) -> None:
    before = invitation_rows()
    empty_sheets: list[dict] = [{}, {"answers": {}, "enps": None, "comment": " \t "}]
    for empty in empty_sheets:
        refused = client.post(f"/api/v1/pulse/{priya}", empty, content_type="application/json")
        assert refused.status_code == 400
        body = refused.json()
        assert body["code"] == "nothing_answered"
        assert "Nothing was recorded" in body["message"] and body["fields"] == {}
    assert not PendingBallot.objects.exists()
    assert invitation_rows() == before
    assert client.get(f"/api/v1/pulse/{priya}").status_code == 200
    answered = client.post(f"/api/v1/pulse/{priya}", {"enps": 9}, content_type="application/json")
    assert answered.status_code == 201


def test_an_empty_send_only_reads_the_link(client, survey, priya) -> None:
    """Not even a redemption rolled back: no statement writes, so no row version of the
    invitation (PostgreSQL's xmax included) remembers the attempt."""
    with CaptureQueriesContext(connection) as sent:
        client.post(f"/a/{priya}/", {"send_anyway": "1"})
    statements = [
        query["sql"]
        for query in sent.captured_queries
        if not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]
    assert statements and all(sql.startswith("SELECT") for sql in statements), statements
    assert not any("FOR SHARE" in sql or "FOR UPDATE" in sql for sql in statements)
