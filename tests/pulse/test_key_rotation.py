"""The operator rotates both keys mid-cycle; no accepted answer is lost and no link breaks."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from pulse.models import PendingBallot, Response
from pulse.sealing import unseal
from pulse.sweep import sweep
from surveys.closing import close_cycle
from surveys.models import StuckReason
from tests.anonymity.conftest import form_answers

pytestmark = pytest.mark.django_db
OLD, NEW = "old-ballot-key-" + "o" * 40, "new-ballot-key-" + "n" * 40


def test_rotating_the_ballot_key_reseals_every_waiting_ballot_under_the_new_key(
    client, survey, company, settings
) -> None:
    settings.PULSE_BALLOT_KEY = OLD
    for person in company["platform"][:6] + company["data"][:5]:
        client.post(f"/a/{survey.token(person.email)}/", form_answers(survey, [4, 4, 4, 4]))
    settings.PULSE_BALLOT_KEY, settings.PULSE_BALLOT_KEY_PREVIOUS = NEW, OLD
    out = StringIO()
    call_command("rotate_ballot_key", stdout=out)
    assert "Every waiting ballot (11) is now sealed under the new key" in out.getvalue()
    settings.PULSE_BALLOT_KEY_PREVIOUS = ""  # the old key is gone for good
    close_cycle(cycle_id=survey.cycle.pk)
    sweep()
    assert Response.objects.count() == 11
    assert not PendingBallot.objects.exists()


def test_without_the_old_key_a_pending_ballot_is_refused_loudly_not_dropped(
    client, survey, company, settings, caplog
) -> None:
    settings.PULSE_BALLOT_KEY = OLD
    for analyst in company["data"][:5]:
        client.post(f"/a/{survey.token(analyst.email)}/", form_answers(survey, [4]))
    settings.PULSE_BALLOT_KEY = NEW
    close_cycle(cycle_id=survey.cycle.pk)
    sweep()
    assert PendingBallot.objects.count() == 5
    assert "BallotKeyMismatch" in caplog.text
    assert "private key it was sealed for" in caplog.text
    survey.cycle.refresh_from_db()
    assert survey.cycle.stuck_reason == StuckReason.STORING


def test_the_command_needs_both_keys(db) -> None:
    with pytest.raises(CommandError, match="PULSE_BALLOT_KEY_PREVIOUS"):
        call_command("rotate_ballot_key")


def test_links_emailed_before_a_token_key_rotation_keep_working(
    client, survey, company, settings
) -> None:
    old_key = settings.PULSE_TOKEN_KEY
    token = survey.token(company["platform"][0].email)
    settings.PULSE_TOKEN_KEY = "rotated-token-key-" + "r" * 40
    assert client.get(f"/a/{token}/").status_code == 404
    settings.PULSE_TOKEN_KEY_PREVIOUS = old_key
    assert client.post(f"/a/{token}/", form_answers(survey, [5])).status_code == 200


def test_rotating_the_key_stores_a_closed_surveys_answers_only_through_its_cell_store(
    client, survey, company, settings, monkeypatch
) -> None:
    settings.PULSE_BALLOT_KEY = OLD
    for engineer in company["platform"][:11]:
        client.post(f"/a/{survey.token(engineer.email)}/", form_answers(survey, [4, 4, 4, 4]))
    close_cycle(cycle_id=survey.cycle.pk)

    def failing_store(**_: object) -> None:
        raise RuntimeError("the cell store fails")

    monkeypatch.setattr("pulse.sweep.store_cell", failing_store)
    settings.PULSE_BALLOT_KEY, settings.PULSE_BALLOT_KEY_PREVIOUS = NEW, OLD
    call_command("rotate_ballot_key", stdout=StringIO())

    # Nothing stored outside the cell store (which applies the follow-through cell rule)...
    assert not Response.objects.exists()
    # ...and every ballot opens with the new key alone, so the old one can go.
    settings.PULSE_BALLOT_KEY_PREVIOUS = ""
    for ballot in PendingBallot.objects.all():
        unseal(ballot.sealed, cycle_id=survey.cycle.pk)
    monkeypatch.undo()
    sweep()
    assert Response.objects.count() == 11
