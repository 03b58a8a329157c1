"""Two surveys open at once, and a survey launched a moment ago: every answer lands sealed for
its own survey."""

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from pulse.models import PendingBallot
from pulse.sealing import unseal
from surveys.launch import launch_now
from surveys.models import Cadence, Cycle
from surveys.scheduler import run_tick
from tests.anonymity.conftest import emailed_links

pytestmark = pytest.mark.django_db


def launch_another_survey(name: str) -> tuple[Cycle, dict[str, str]]:
    mail.outbox.clear()
    cycle = launch_now(
        cadence=Cadence.objects.create(name=name, kind="monthly"), now=timezone.now()
    )
    run_tick()
    return cycle, emailed_links()


def answer(token: str, question: str, value: int) -> int:
    return (
        Client()
        .post(
            f"/api/v1/pulse/{token}",
            {"answers": {question: value}, "enps": 7},
            content_type="application/json",
        )
        .status_code
    )


def test_two_surveys_with_the_same_questions_each_get_their_own_answer(survey, company) -> None:
    engineer = company["platform"][0]
    second, second_links = launch_another_survey("Engineering pulse")
    question = survey.cycle.items.first().key
    assert set(survey.cycle.items.values_list("key", flat=True)) == set(
        second.items.values_list("key", flat=True)
    ), "the same month asks the same questions, so the answers alone cannot tell the surveys apart"

    assert answer(second_links[engineer.email], question, 2) == 201
    assert answer(survey.token(engineer.email), question, 6) == 201

    ballots = {ballot.cycle_id: ballot for ballot in PendingBallot.objects.all()}
    assert set(ballots) == {survey.cycle.pk, second.pk}
    # Each ballot opens only as its own survey's: it was sealed for the cycle it is stored under.
    assert unseal(ballots[second.pk].sealed, cycle_id=second.pk)["answers"] == {question: 2}
    assert unseal(ballots[survey.cycle.pk].sealed, cycle_id=survey.cycle.pk)["answers"] == {
        question: 6
    }


def test_a_survey_launched_a_moment_ago_is_answered_at_once(survey, company) -> None:
    fresh, links = launch_another_survey("Launched a moment ago")
    engineer = company["platform"][1]
    question = fresh.items.values_list("key", flat=True)[0]
    assert answer(links[engineer.email], question, 4) == 201
    assert answer(links[engineer.email], question, 4) == 410
    assert PendingBallot.objects.get().cycle_id == fresh.pk
