"""One survey whose sending or closing fails does not hold up another.

Two surveys go out at once, the monthly pulse and an engineering pulse. Sending the monthly one
fails with an error that quotes Ada's address; the engineering pulse's invitations go out all
the same, the pass returns, Harriet in HR sees which survey is stuck and why, and the log names
the survey by id and the error by type, never the address. The next pass that goes through
clears the note.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.utils import timezone

from surveys import scheduler, tasks
from surveys.launch import launch_now
from surveys.models import Cadence, Cycle, CycleState, StuckReason
from surveys.scheduler import run_tick
from teams.roles import ensure_hr_group

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_surveys(org) -> tuple[Cycle, Cycle]:
    now = timezone.now()
    monthly = launch_now(cadence=Cadence.objects.create(name="Monthly pulse"), now=now)
    engineering = launch_now(cadence=Cadence.objects.create(name="Engineering pulse"), now=now)
    return monthly, engineering


@pytest.fixture
def cycles_page_of_hr(db: None) -> Callable[[], str]:
    harriet = User.objects.create_user("harriet", "harriet@example.com", "pw")
    harriet.groups.add(ensure_hr_group())
    client = Client()
    client.force_login(harriet)
    return lambda: client.get("/hr/cycles/").content.decode()


def failing_for(cycle: Cycle, real: Callable[..., Any], address: str) -> Callable[..., Any]:
    def double(*, cycle_id: int, **kwargs: Any) -> Any:
        if cycle_id == cycle.pk:
            raise RuntimeError(f"the mail library choked on {address}")
        return real(cycle_id=cycle_id, **kwargs)

    return double


def stuck_reason(cycle: Cycle) -> str:
    return Cycle.objects.get(pk=cycle.pk).stuck_reason


def test_when_sending_one_survey_fails_the_other_goes_out_and_hr_sees_which_is_stuck(
    org, two_surveys, monkeypatch, caplog, cycles_page_of_hr
) -> None:
    monthly, engineering = two_surveys
    monkeypatch.setattr(
        scheduler, "send_owed", failing_for(monthly, scheduler.send_owed, org.ada.email)
    )

    report = run_tick()

    assert report.emails_sent == len(org.everyone), "the engineering pulse went out"
    assert Cycle.objects.get(pk=engineering.pk).stuck_reason == ""
    assert stuck_reason(monthly) == StuckReason.SENDING
    assert f"Sending invitations failed for cycle {monthly.pk}: RuntimeError" in caplog.text
    assert org.ada.email not in caplog.text
    page = cycles_page_of_hr()
    assert (
        f"Monthly pulse {monthly.period}</strong>: Invitations could not be sent: "
        "sending invitations failed at "
    ) in page

    monkeypatch.undo()
    report = run_tick()

    assert report.emails_sent == len(org.everyone), "the monthly pulse went out on the next pass"
    assert stuck_reason(monthly) == ""
    assert "Needs attention" not in cycles_page_of_hr()


def test_a_sender_task_that_fails_is_logged_by_ids_and_does_not_raise(
    org, two_surveys, monkeypatch, caplog
) -> None:
    monthly, engineering = two_surveys
    monkeypatch.setattr(tasks, "send_owed", failing_for(monthly, tasks.send_owed, org.ada.email))

    tasks.send_owed_emails(monthly.pk)  # returns: nothing for Celery to log
    tasks.send_owed_emails(engineering.pk)

    assert stuck_reason(monthly) == StuckReason.SENDING
    assert stuck_reason(engineering) == ""
    assert len(mail.outbox) == len(org.everyone)
    assert f"Sending invitations failed for cycle {monthly.pk}: RuntimeError" in caplog.text
    assert org.ada.email not in caplog.text


def test_when_closing_one_survey_fails_the_other_closes(
    org, two_surveys, monkeypatch, cycles_page_of_hr
) -> None:
    monthly, engineering = two_surveys
    after_both = max(monthly.closes_at, engineering.closes_at) + timedelta(minutes=1)

    def failing_close(*, cycle_id: int, now: Any) -> bool:
        if cycle_id == monthly.pk:
            raise RuntimeError("lock timeout")
        return real_close(cycle_id=cycle_id, now=now)

    real_close = scheduler.close_cycle
    monkeypatch.setattr(scheduler, "close_cycle", failing_close)

    report = run_tick(now=after_both)

    assert report.closed == [engineering.pk]
    assert Cycle.objects.get(pk=monthly.pk).state == CycleState.OPEN
    assert stuck_reason(monthly) == StuckReason.CLOSING
    assert "The cycle could not be closed: closing the cycle failed at" in cycles_page_of_hr()

    monkeypatch.undo()
    assert run_tick(now=after_both).closed == [monthly.pk]
    assert stuck_reason(monthly) == ""
