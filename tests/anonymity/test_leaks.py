"""Attacks on side channels: the logs at DEBUG, a logged-in manager's session, and a race of
double submits."""

import logging
import threading

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client

from pulse.models import Comment, PendingBallot, Response
from pulse.sweep import sweep
from surveys.closing import close_cycle
from tests.anonymity.conftest import form_answers

SECRET_COMMENT = "the offsite in Lisbon made me feel left out"


@pytest.mark.django_db
def test_a_whole_cycle_at_debug_level_logs_no_link_no_answer_and_no_comment(
    client, survey, company, caplog
) -> None:
    for name in ("", "django", "django.request", "django.db.backends", "surveys", "pulse"):
        caplog.set_level(logging.DEBUG, logger=name)
    connection.force_debug_cursor = True
    try:
        engineers = company["platform"][:8]
        for engineer in engineers[:6]:
            client.get(f"/a/{survey.token(engineer.email)}/")
            client.post(
                f"/a/{survey.token(engineer.email)}/",
                form_answers(survey, [2, 7, 2, 7], enps=3, comment=SECRET_COMMENT),
            )
        json_token = survey.token(engineers[6].email)
        client.get(f"/api/v1/pulse/{json_token}")
        client.post(
            f"/api/v1/pulse/{json_token}",
            {"answers": {survey.cycle.items.first().key: 6}, "comment": SECRET_COMMENT},
            content_type="application/json",
        )
        client.post(f"/a/{survey.token(engineers[0].email)}/", form_answers(survey, [1]))  # 410
        client.get("/a/not-a-real-link-but-long-enough-to-look-like-one/")  # 404
        # With the ballot key, a logged sealed ballot is a logged answer.
        sealed = [bytes(ballot.sealed).hex() for ballot in PendingBallot.objects.all()]
        sweep()
        close_cycle(cycle_id=survey.cycle.pk)
        sweep()
    finally:
        connection.force_debug_cursor = False
    logged = caplog.text
    assert "Gone: /a/[redacted]" in logged and "Not Found: /a/[redacted]" in logged
    assert "not logged" in logged  # SQL on the anonymous tables was seen and withheld
    for token in survey.links.values():
        assert token not in logged
    assert "Lisbon" not in logged
    assert '"enps": 3' not in logged and "[2, 7, 2, 7]" not in logged
    assert len(sealed) == 7
    for ballot in sealed:
        assert ballot not in logged


@pytest.mark.django_db
def test_a_logged_in_manager_answers_exactly_like_anyone_else(survey, company) -> None:
    grace = company["grace"][0]
    grace.user = User.objects.create_user("grace", grace.email, "pw")
    grace.save()
    manager, anonymous = Client(), Client()
    manager.force_login(grace.user)
    sessions_before = Session.objects.count()

    as_manager = manager.post(
        f"/a/{survey.token(grace.email)}/", form_answers(survey, [4, 4, 4, 4])
    )
    as_anyone = anonymous.post(
        f"/a/{survey.token(company['leads'][4].email)}/", form_answers(survey, [4, 4, 4, 4])
    )
    # Three more, so that the top cell holds k answers and is stored at all.
    for lead in (company["leads"][0], company["leads"][5], company["leads"][6]):
        anonymous.post(f"/a/{survey.token(lead.email)}/", form_answers(survey, [4, 4, 4, 4]))
    for response in (as_manager, as_anyone):
        assert response.status_code == 200
        assert not response.cookies, "the answer page sets no cookie"
        assert response["Referrer-Policy"] == "no-referrer"
    assert Session.objects.count() == sessions_before
    # Both stored the same kind of row, in the same unit, with nothing else to tell them apart.
    close_cycle(cycle_id=survey.cycle.pk)
    sweep()
    rows = list(Response.objects.values("reporting_unit", "answers", "enps"))
    assert len(rows) == 5 and all(row == rows[0] for row in rows)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_posts_of_one_link_store_one_answer(
    item_catalogue, survey, company
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("a real race needs PostgreSQL's row locks")
    token = survey.token(company["data"][0].email)
    barrier = threading.Barrier(20)
    statuses: list[int] = []

    def submit() -> None:
        try:
            barrier.wait()
            response = Client().post(
                f"/api/v1/pulse/{token}",
                {"answers": {survey.cycle.items.first().key: 5}},
                content_type="application/json",
            )
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [201] + [410] * 19
    assert PendingBallot.objects.count() == 1
    assert not Comment.objects.exists()
