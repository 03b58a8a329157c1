"""`manage.py tick` is one pass over every app: a survey whose window has ended is closed by the
surveys pass and released by the pulse pass of the same tick."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from pulse.models import ReleasedUnit
from surveys.models import Cycle, CycleState
from tests.anonymity.conftest import form_answers

pytestmark = pytest.mark.django_db


def test_one_tick_closes_an_ended_survey_and_releases_its_results(client, survey, company) -> None:
    for person in company["platform"][:10]:
        response = client.post(
            f"/a/{survey.token(person.email)}/", form_answers(survey, [6, 5, 6, 5])
        )
        assert response.status_code == 200
    Cycle.objects.filter(pk=survey.cycle.pk).update(closes_at=timezone.now() - timedelta(minutes=1))

    out = StringIO()
    call_command("tick", stdout=out)

    survey.cycle.refresh_from_db()
    assert survey.cycle.state == CycleState.CLOSED
    assert "closed 1," in out.getvalue() and "released 1 cycle(s)" in out.getvalue()
    platform = ReleasedUnit.objects.get(cycle=survey.cycle, unit__name="Platform")
    assert (platform.status, platform.respondents) == ("released", 10)


def test_a_tick_with_nothing_due_changes_nothing(db) -> None:
    out = StringIO()
    call_command("tick", stdout=out)
    assert out.getvalue().startswith("launched 0 cycle(s), closed 0,")
    assert "released 0 cycle(s)" in out.getvalue()
    assert not ReleasedUnit.objects.exists()
