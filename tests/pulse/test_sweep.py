"""The pool mix between the door and the response store, as a dump would see it: waiting
ballots are rewritten whole at every sweep, and stored only in random groups of at least k."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pulse.models import PendingBallot, Response
from pulse.sealing import SEALED_BYTES
from pulse.sweep import batch_size, sweep
from surveys.closing import close_cycle
from tests.anonymity.conftest import form_answers

pytestmark = pytest.mark.django_db


def waiting_ballots() -> dict:
    return {ballot.pk: bytes(ballot.sealed) for ballot in PendingBallot.objects.all()}


def test_a_sweep_rewrites_every_waiting_ballot_of_a_unit_with_a_new_arrival(
    client, survey, company
) -> None:
    for engineer in company["platform"][:4]:
        client.post(f"/a/{survey.token(engineer.email)}/", form_answers(survey, [5, 5]))
    sweep()
    before = waiting_ballots()
    client.post(
        f"/a/{survey.token(company['platform'][4].email)}/",
        form_answers(survey, [1], comment="x" * 1500),
    )
    sweep()
    after = waiting_ballots()
    assert len(after) == 5 and not Response.objects.exists(), "fewer than 2k wait: none moved"
    assert not set(before) & set(after), "no ballot keeps its id"
    assert not set(before.values()) & set(after.values()), "no ballot keeps its bytes"
    assert {len(sealed) for sealed in after.values()} == {SEALED_BYTES}
    assert not PendingBallot.objects.filter(rewritten=False).exists()


def test_a_sweep_without_arrivals_leaves_a_small_pool_alone(client, survey, company) -> None:
    for engineer in company["platform"][:3]:
        client.post(f"/a/{survey.token(engineer.email)}/", form_answers(survey, [5]))
    sweep()
    before = waiting_ballots()
    sweep()
    assert waiting_ballots() == before


def test_ballots_move_only_from_a_pool_of_2k_in_groups_that_leave_k_behind(
    client, survey, company
) -> None:
    k = survey.cycle.k
    for engineer in company["platform"][: 2 * k + 3]:
        client.post(f"/a/{survey.token(engineer.email)}/", form_answers(survey, [6, 6]))
    sweep()
    stored = Response.objects.count()
    assert k <= stored <= k + 3
    assert PendingBallot.objects.count() == 2 * k + 3 - stored >= k


def test_at_close_what_waits_is_stored_in_one_group_per_unit(client, survey, company) -> None:
    for engineer in company["platform"][:7]:
        client.post(f"/a/{survey.token(engineer.email)}/", form_answers(survey, [6, 6]))
    sweep()
    assert not Response.objects.exists()
    close_cycle(cycle_id=survey.cycle.pk)
    sweep()
    assert Response.objects.count() == 7 and not PendingBallot.objects.exists()


@given(waiting=st.integers(min_value=0, max_value=400), k=st.integers(min_value=3, max_value=20))
def test_a_stored_group_is_never_smaller_than_k_nor_leaves_fewer_than_k(
    waiting: int, k: int
) -> None:
    moving = batch_size(waiting=waiting, k=k)
    if waiting < 2 * k:
        assert moving == 0
    else:
        assert k <= moving <= waiting - k
