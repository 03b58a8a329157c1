"""A ballot the database cannot store, or a cycle whose storing fails, stops only itself.

Grace's ten engineers answer two surveys at once, the monthly pulse and an engineering pulse.
Into the monthly one, an eleventh engineer's answer was sealed by a version of Pulse that did
not yet refuse a NUL character or a lone surrogate in a comment. It is repaired when the sweep
opens it and released with the rest. When storing or releasing one survey fails outright, the
other survey is released all the same, the pass returns, Hannah in HR sees on the cycles page
which survey is stuck and why, and no log line carries the comment that was being stored.
"""

import json
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone

from pulse import release, sweep
from pulse.models import PendingBallot, ReleasedComment
from pulse.sealing import seal, seal_body, unseal
from pulse.tasks import tick as pulse_tick_task
from surveys.closing import close_cycle
from surveys.launch import launch_now
from surveys.models import Cadence, Cycle, StuckReason
from surveys.redemption import redeem
from surveys.scheduler import run_tick
from teams.models import Person
from teams.roles import ensure_hr_group
from tests.anonymity.conftest import Survey, emailed_links, form_answers
from tests.anonymity.insider import everything_logged_at_debug

pytestmark = pytest.mark.django_db

SECRET = "my lead shouted at Priya in the standup"


def launch_another_survey(name: str) -> Survey:
    mail.outbox.clear()
    cycle = launch_now(
        cadence=Cadence.objects.create(name=name, kind="monthly"), now=timezone.now()
    )
    run_tick()
    return Survey(cycle=cycle, links=emailed_links())


def answer_by_form(survey: Survey, people: list[Person], comment: str = "fine") -> None:
    for person in people:
        response = Client().post(
            f"/a/{survey.token(person.email)}/", form_answers(survey, [6, 5], comment=comment)
        )
        assert response.status_code == 200


def plant_old_ballot(survey: Survey, person: Person, comment: str) -> None:
    """What the door did before it checked comments: redeem the link, seal what was sent.
    JSON written with ASCII escapes, as a lone surrogate can only travel that way."""
    payload = {"answers": {}, "enps": 4, "comment": comment}
    with transaction.atomic():
        redemption = redeem(survey.token(person.email))
        body = json.dumps(payload).encode()
        PendingBallot.objects.create(
            cycle_id=survey.cycle.pk,
            reporting_unit_id=redemption.reporting_unit_id,
            sealed=seal_body(body, cycle_id=survey.cycle.pk),
        )


def released_comments(survey: Survey) -> set[str]:
    return set(
        ReleasedComment.objects.filter(released_unit__cycle=survey.cycle).values_list(
            "text", flat=True
        )
    )


@pytest.fixture
def cycles_page_of_hr(db: None) -> Callable[[], str]:
    """Hannah, in HR, opens the cycles page."""
    hannah = User.objects.create_user("hannah", "hannah@example.com", "pw")
    hannah.groups.add(ensure_hr_group())
    client = Client()
    client.force_login(hannah)

    def page() -> str:
        response = client.get("/hr/cycles/")
        assert response.status_code == 200
        return response.content.decode()

    return page


def is_released(survey: Survey) -> bool:
    return Cycle.objects.filter(pk=survey.cycle.pk, release__isnull=False).exists()


def stuck_reason(survey: Survey) -> str:
    return Cycle.objects.get(pk=survey.cycle.pk).stuck_reason


@pytest.mark.parametrize(
    ("poisoned", "stored_as"),
    [
        (f"{SECRET}\x00!", f"{SECRET}!"),
        (f"{SECRET}\ud800!", f"{SECRET}\ufffd!"),
        (f"\udc00{SECRET}\x00", f"\ufffd{SECRET}"),
    ],
)
def test_a_ballot_sealed_with_unstorable_text_is_repaired_and_its_survey_released(
    survey, company, poisoned, stored_as
) -> None:
    answer_by_form(survey, company["platform"][:10])
    plant_old_ballot(survey, company["platform"][10], poisoned)
    close_cycle(cycle_id=survey.cycle.pk)

    with everything_logged_at_debug() as logs:
        pulse_tick_task()

    assert SECRET not in logs.text()
    assert is_released(survey)
    assert released_comments(survey) == {"fine", stored_as}
    assert stuck_reason(survey) == ""
    assert not PendingBallot.objects.exists()


def test_a_waiting_ballot_with_unstorable_text_is_resealed_repaired_while_the_survey_is_open(
    survey, company
) -> None:
    answer_by_form(survey, company["platform"][:3])
    plant_old_ballot(survey, company["platform"][3], f"{SECRET}\ud800")

    sweep.sweep()

    assert not PendingBallot.objects.filter(rewritten=False).exists(), "every ballot rewritten"
    comments = {
        unseal(ballot.sealed, cycle_id=survey.cycle.pk)["comment"]
        for ballot in PendingBallot.objects.all()
    }
    assert comments == {"fine", f"{SECRET}\ufffd"}
    assert stuck_reason(survey) == ""


def test_a_poisoned_survey_does_not_hold_up_another_survey(survey, company) -> None:
    engineering = launch_another_survey("Engineering pulse")
    answer_by_form(survey, company["platform"][:10])
    answer_by_form(engineering, company["platform"][:10], comment="all good")
    # Sealed directly, as the door did before it refused a NUL character.
    with transaction.atomic():
        redemption = redeem(survey.token(company["platform"][10].email))
        PendingBallot.objects.create(
            cycle_id=survey.cycle.pk,
            reporting_unit_id=redemption.reporting_unit_id,
            sealed=seal(
                {"answers": {}, "enps": 2, "comment": f"{SECRET}\x00"}, cycle_id=survey.cycle.pk
            ),
        )
    close_cycle(cycle_id=survey.cycle.pk)
    close_cycle(cycle_id=engineering.cycle.pk)

    pulse_tick_task()

    assert released_comments(engineering) == {"all good"}
    assert released_comments(survey) == {"fine", SECRET}


def failing_for(cycle_id: int, real: Callable[..., None]) -> Callable[..., None]:
    """`real`, but raising for one cycle, with the comment's text in the exception: the kind
    of error a driver raises, whose message or repr quotes the value it could not store."""

    def double(*, cycle: Cycle, **kwargs: Any) -> None:
        if cycle.pk == cycle_id:
            raise UnicodeEncodeError("utf-8", SECRET, 3, 4, f"cannot store {SECRET}")
        return real(cycle=cycle, **kwargs)

    return double


def test_when_storing_one_survey_fails_the_other_is_released_and_hr_sees_which_is_stuck(
    survey, company, monkeypatch, cycles_page_of_hr
) -> None:
    engineering = launch_another_survey("Engineering pulse")
    answer_by_form(survey, company["platform"][:10], comment=SECRET)
    answer_by_form(engineering, company["platform"][:10], comment="all good")
    close_cycle(cycle_id=survey.cycle.pk)
    close_cycle(cycle_id=engineering.cycle.pk)
    monkeypatch.setattr(
        sweep, "store_responses", failing_for(survey.cycle.pk, sweep.store_responses)
    )

    with everything_logged_at_debug() as logs:
        pulse_tick_task()  # returns: nothing is raised to Celery

    assert released_comments(engineering) == {"all good"}
    assert not is_released(survey)
    assert PendingBallot.objects.filter(cycle=survey.cycle).count() == 10, "nothing lost"
    assert stuck_reason(survey) == StuckReason.STORING
    logged = logs.text()
    assert f"Storing answers failed for cycle {survey.cycle.pk} unit" in logged
    assert "UnicodeEncodeError raised at" in logged
    assert SECRET not in logged and "Priya" not in logged
    page = cycles_page_of_hr()
    assert "Needs attention" in page
    assert (
        f"Monthly pulse {survey.cycle.period}</strong>: Results could not be released: "
        "storing answers failed at "
    ) in page
    assert "the team has been told nothing" in page
    assert "Engineering pulse" not in page.split("Needs attention")[1].split("</section>")[0]

    monkeypatch.undo()
    pulse_tick_task()

    assert released_comments(survey) == {SECRET}
    assert stuck_reason(survey) == ""
    assert "Needs attention" not in cycles_page_of_hr()


def test_when_releasing_one_survey_fails_the_other_is_released_and_hr_sees_which_is_stuck(
    survey, company, monkeypatch, cycles_page_of_hr
) -> None:
    engineering = launch_another_survey("Engineering pulse")
    answer_by_form(survey, company["platform"][:10], comment=SECRET)
    answer_by_form(engineering, company["platform"][:10], comment="all good")
    close_cycle(cycle_id=survey.cycle.pk)
    close_cycle(cycle_id=engineering.cycle.pk)

    def failing_release(cycle: Cycle) -> int:
        if cycle.pk == survey.cycle.pk:
            raise ValueError(f"duplicate comment {SECRET}")
        return real_release(cycle)

    real_release = release.write_release
    monkeypatch.setattr(release, "write_release", failing_release)

    with everything_logged_at_debug() as logs:
        pulse_tick_task()

    assert released_comments(engineering) == {"all good"}
    assert stuck_reason(survey) == StuckReason.RELEASING
    logged = logs.text()
    assert f"Releasing results failed for cycle {survey.cycle.pk}: ValueError" in logged
    assert SECRET not in logged
    page = cycles_page_of_hr()
    assert "Results could not be released: releasing results failed at " in page

    monkeypatch.undo()
    pulse_tick_task()
    assert released_comments(survey) == {SECRET}
    assert stuck_reason(survey) == ""


def test_closing_by_hand_says_when_storing_the_answers_failed(survey, company, monkeypatch) -> None:
    answer_by_form(survey, company["platform"][:5], comment=SECRET)
    monkeypatch.setattr(
        sweep, "store_responses", failing_for(survey.cycle.pk, sweep.store_responses)
    )
    output, errors = StringIO(), StringIO()

    call_command("close_cycle", survey.cycle.pk, stdout=output, stderr=errors)

    assert f"Closed cycle {survey.cycle.pk}" in output.getvalue()
    assert "Storing its answers failed" in errors.getvalue()
    assert SECRET not in errors.getvalue()
    assert PendingBallot.objects.count() == 5
