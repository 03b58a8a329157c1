"""Closing a cycle while an answer is being accepted: the answer is neither lost nor left
stranded outside the close. Ada closes the survey at the very moment Engineer 0 presses send."""

import threading

import pytest
from django.db import connection, transaction
from django.test import Client

from pulse.ballot_box import cast_answers
from pulse.models import PendingBallot
from surveys.closing import close_cycle
from surveys.models import CycleTeam, Invitation

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_close_waits_for_the_answer_in_flight_counts_it_and_refuses_later_ones(
    item_catalogue, survey, company
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers at BEGIN; the race needs PostgreSQL")
    engineer, latecomer, *earlier = company["platform"][:6]
    for colleague in earlier:  # four answered before: the one in flight makes Platform's k
        cast_answers(token=survey.token(colleague.email), data={"enps": 8})
    unit_id = Invitation.objects.get(cycle=survey.cycle, person=engineer).reporting_unit_id
    question = survey.cycle.items.first().key
    accepted, let_it_commit = threading.Event(), threading.Event()
    closed: list[bool] = []

    def answer() -> None:
        try:
            # The door's work is done but not yet committed, as if the server paused there.
            with transaction.atomic():
                cast_answers(token=survey.token(engineer.email), data={"answers": {question: 6}})
                accepted.set()
                let_it_commit.wait(timeout=20)
        finally:
            connection.close()

    def close() -> None:
        try:
            closed.append(close_cycle(cycle_id=survey.cycle.pk))
        finally:
            connection.close()

    answering = threading.Thread(target=answer)
    answering.start()
    assert accepted.wait(timeout=20)
    closing = threading.Thread(target=close)
    closing.start()
    closing.join(timeout=1)
    assert closing.is_alive(), "close went ahead while an accepted answer was uncommitted"
    let_it_commit.set()
    answering.join(timeout=20)
    closing.join(timeout=20)

    assert closed == [True]
    assert PendingBallot.objects.count() == 5
    assert CycleTeam.objects.get(pk=unit_id).unit_respondent_count == 5
    too_late = Client().post(
        f"/api/v1/pulse/{survey.token(latecomer.email)}",
        {"answers": {question: 6}},
        content_type="application/json",
    )
    # Close wiped the link digests, so a late link is simply not recognised any more.
    assert too_late.status_code == 404
    assert PendingBallot.objects.count() == 5
