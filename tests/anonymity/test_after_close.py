"""Attacks on what is left once the survey has closed, by someone holding the whole database,
both keys and the mail log (so every link that was ever emailed)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from pulse.models import PendingBallot, Response
from pulse.sweep import sweep
from surveys.closing import close_cycle
from surveys.models import CycleTeam, Invitation
from surveys.tokens import token_digest
from tests.anonymity.conftest import form_answers

pytestmark = pytest.mark.django_db


def dump_every_table() -> str:
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608
            chunks.append(repr(cursor.fetchall()))
    return "\n".join(chunks)


def test_after_close_nobody_can_tell_which_invitations_were_answered(
    client, survey, company
) -> None:
    answered = company["platform"][:10] + company["design"] + company["leads"][4:]
    for person in answered:
        client.post(f"/a/{survey.token(person.email)}/", form_answers(survey, [3, 3, 3, 3]))
    close_cycle(cycle_id=survey.cycle.pk)
    sweep()

    assert not PendingBallot.objects.exists()
    invitation_state = set(
        Invitation.objects.filter(cycle=survey.cycle).values_list(
            "answered",
            "emails_sent",
            "send_batch",
            "claimed_at",
            "delivery_failed",
            "delivery_error",
        )
    )
    assert len(invitation_state) == 1, "answerers and non-answerers must look the same"

    # With the token key, every emailed link can be hashed; none matches anything kept.
    dump = dump_every_table()
    for token in survey.links.values():
        digest = token_digest(token)
        assert digest.hex() not in dump and repr(digest) not in dump and token not in dump

    # What survives: how many answered per reporting unit, nothing finer.
    counts = dict(
        CycleTeam.objects.filter(
            cycle=survey.cycle, unit_respondent_count__isnull=False
        ).values_list("name", "unit_respondent_count")
    )
    assert counts == {"Company": 5, "Platform": 10, "Data": 0}
    assert Response.objects.count() == 15


def test_answers_of_fewer_than_k_at_the_top_are_never_stored(client, survey, company) -> None:
    """The top cell has no parent to be counted in: two answers there would be a stored group
    of two, whom the answered flags in a dump taken while open name. They are destroyed
    unopened instead; the ten of Platform are stored."""
    for person in company["platform"][:10] + company["design"]:
        client.post(f"/a/{survey.token(person.email)}/", form_answers(survey, [3, 3, 3, 3]))
    close_cycle(cycle_id=survey.cycle.pk)
    sweep()
    assert not PendingBallot.objects.exists()
    stored = Response.objects.values_list("reporting_unit__name", flat=True)
    assert sorted(set(stored)) == ["Platform"] and len(stored) == 10
    top = CycleTeam.objects.get(cycle=survey.cycle, name="Company")
    assert top.unit_respondent_count == 0


def test_a_team_smaller_than_k_is_never_the_unit_of_a_stored_answer(
    client, survey, company
) -> None:
    # The two designers and three of the company's own staff: five in the top cell.
    for person in company["design"] + company["leads"][4:]:
        client.post(f"/a/{survey.token(person.email)}/", form_answers(survey, [1, 2, 3, 4]))
    close_cycle(cycle_id=survey.cycle.pk)
    sweep()
    units = {response.reporting_unit for response in Response.objects.all()}
    assert {unit.name for unit in units} == {"Company"}
    assert all(unit.unit_eligible_count >= survey.cycle.k for unit in units)
    design = CycleTeam.objects.get(cycle=survey.cycle, name="Design")
    assert not Response.objects.filter(reporting_unit=design).exists()


def test_closing_by_command_stores_the_waiting_answers_where_close_counted_them(
    client, survey, company
) -> None:
    """No backup taken after `close_cycle` finds a sealed answer still under its own unit."""
    for person in company["data"][:2] + company["leads"][4:]:
        client.post(f"/a/{survey.token(person.email)}/", form_answers(survey, [3, 3]))
    call_command("close_cycle", str(survey.cycle.pk), stdout=StringIO())
    assert not PendingBallot.objects.exists()
    stored = set(Response.objects.values_list("reporting_unit__name", flat=True))
    assert stored == {"Company"}, "Data's two answers are counted in the top cell, not Data"
