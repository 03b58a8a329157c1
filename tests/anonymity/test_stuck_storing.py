"""The insider's nightly dump, taken while storing a unit's answers keeps failing.

The pool mix (pulse.sweep) opens, shuffles and seals again every waiting ballot of a unit at the
first pass after an answer arrives; that rewrite is what unties a sealed ballot from the
transaction that marked its author's link used. A contained failure rolls the unit's whole
pass back, rewrite included, until the next pass that succeeds. A realistic
failure that does exactly that: after a key rotation the sweeping worker is given a private key
that does not open the ballots (BallotKeyMismatch, whose message is the operator's advice).
While it lasts, HR's cycles page says storing is stuck; the sweep still moves the unit's sealed
ballots, unopened, to fresh rows, so no answer keeps its author's transaction id past a pass.
"""

import pytest
from django.conf import settings
from django.test import override_settings

from pulse.models import PendingBallot
from pulse.release_models import ReleasedUnit
from pulse.sealing import private_key_from_secret, public_key_text
from surveys.closing import close_cycle
from surveys.models import Cycle, StuckReason
from tests.anonymity.insider import (
    INVITATIONS,
    PENDING_BALLOTS,
    Answer,
    needs_postgres,
    open_with_private_key,
    take_dump,
    tick,
)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_ballot_is_tied_to_its_author_for_one_pass_at_most_even_while_storing_fails(
    item_catalogue, survey, company
) -> None:
    needs_postgres()
    for index, engineer in enumerate(company["platform"][:10]):
        Answer(engineer.email, index).send(survey.links)
    tick()
    bob = company["platform"][10]
    # The web server keeps sealing to the public key it has; the worker gets a wrong private
    # key (and no previous one).
    web_public_key = public_key_text(private_key_from_secret(settings.PULSE_BALLOT_KEY))
    with override_settings(
        PULSE_BALLOT_PUBLIC_KEY=web_public_key,
        PULSE_BALLOT_KEY="a key these ballots were not sealed for",
        PULSE_BALLOT_KEY_PREVIOUS="",
    ):
        Answer(bob.email, 10, comment="Bob's note").send(survey.links)
        tick()
        tick()  # two passes later: still failing
    assert Cycle.objects.get(pk=survey.cycle.pk).stuck_reason == StuckReason.STORING

    night = take_dump()
    bobs_link = next(row for row in night.rows(INVITATIONS) if row["person_id"] == bob.pk)
    tied = [row for row in night.rows(PENDING_BALLOTS) if row.xmin == bobs_link.xmin]
    if tied:
        opened = open_with_private_key(tied[0].binary(), cycle_id=survey.cycle.pk)
        assert opened["comment"] == "Bob's note", "the attack is sound"
    # The promise: after the next pass, no waiting answer can be matched with an invitation
    # by transaction id.
    assert tied == [], "two passes after Bob answered, his sealed ballot shares his link's xmin"


def wrong_worker_key() -> override_settings:
    """The web server keeps sealing to its public key; the worker holds a key that does not
    open what it seals (and no previous one)."""
    web_public_key = public_key_text(private_key_from_secret(settings.PULSE_BALLOT_KEY))
    return override_settings(
        PULSE_BALLOT_PUBLIC_KEY=web_public_key,
        PULSE_BALLOT_KEY="a key these ballots were not sealed for",
        PULSE_BALLOT_KEY_PREVIOUS="",
    )


def xmins(table: str) -> set[int | None]:
    return {row.xmin for row in take_dump().rows(table)}


@pytest.mark.django_db(transaction=True)
def test_answers_that_waited_out_a_storing_failure_are_stored_and_released_once_it_is_fixed(
    item_catalogue, survey, company
) -> None:
    engineers = company["platform"][:12]
    with wrong_worker_key():
        for index, engineer in enumerate(engineers[:11]):
            Answer(engineer.email, index, comment=f"Note {index}").send(survey.links)
        tick()
        tick()
        assert PendingBallot.objects.count() == 11, "nothing opened, nothing lost"
        # The last answer arrives just before the survey closes, still under the wrong key.
        Answer(engineers[11].email, 11, comment="Note 11").send(survey.links)
        links_used = xmins(INVITATIONS)
        close_cycle(cycle_id=survey.cycle.pk)
        tick()  # storing the closed survey fails too
        assert PendingBallot.objects.count() == 12
        assert not xmins(PENDING_BALLOTS) & links_used - {None}, (
            "a waiting ballot kept the transaction id of a redemption"
        )
    assert Cycle.objects.get(pk=survey.cycle.pk).stuck_reason == StuckReason.STORING

    tick()  # the worker has its key again: stored, then released

    assert not PendingBallot.objects.exists()
    assert Cycle.objects.get(pk=survey.cycle.pk).stuck_reason == ""
    platform = ReleasedUnit.objects.get(cycle=survey.cycle, unit__name="Platform")
    assert platform.respondents == 12
    assert sorted(platform.comments.values_list("text", flat=True)) == sorted(
        f"Note {index}" for index in range(12)
    )
