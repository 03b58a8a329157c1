"""Attack: read from a nightly dump taken while the survey is open in which order people
answered, and date each person's answer with the logs.

A dump taken while a survey is open shows who has answered (docs/anonymity.md concedes that).
It must not show when. But answering marks the invitation with an UPDATE, and on PostgreSQL an
UPDATE writes a new row version: its xmin is the answer's transaction id, which only grows, and
its ctid is where the new version was laid down. Nothing rewrites the invitation rows again
until the next reminder or the close, so every answered invitation keeps its answer's marks all
day, through every scheduler pass. Sorting the day's answered invitations by xmin (or by ctid)
gives the order in which those people answered.

Any timed trace of answering in general, one per answer and naming nobody, then dates each
person: the access log's lines in their shipper's timestamps, or, with the operator's SQL
logging on, the statement that holds the cycle open while an answer is taken (`SELECT 1 FROM
surveys_cycle ... FOR SHARE`), which is logged in clear with its time. The n-th such trace is
the n-th answerer of the dump.
"""

import random
import time

import pytest
from django.test import Client

from tests.anonymity.conftest import form_answers
from tests.anonymity.insider import (
    INVITATIONS,
    everything_logged_at_debug,
    needs_postgres,
    take_dump,
    tick,
)

pytestmark = [pytest.mark.django_db, pytest.mark.redis]

ANSWERERS = 8  # 8! orders: a dump that says nothing of the order matches the truth by luck
# once in 40,320 runs.


def answer(survey, email: str) -> None:
    path = f"/a/{survey.cycle.public_id}/{survey.token(email)}/"
    Client().get(path)
    assert Client().post(path, form_answers(survey, [5, 6])).status_code == 200


def order_in_the_dump() -> list[int]:
    """The attacker's reading: the answered invitations, by the transaction that wrote them
    and then where they lie, as people (the invitation names its person)."""
    answered = [row for row in take_dump().rows(INVITATIONS) if row["answered"]]
    return [row["person_id"] for row in sorted(answered, key=lambda row: (row.xmin, row.position))]


def test_the_insider_reads_from_a_nightly_dump_the_order_in_which_people_answered(
    survey, company
) -> None:
    needs_postgres()
    answerers = random.sample(company["platform"] + company["data"], ANSWERERS)
    for person in answerers:
        answer(survey, person.email)
        tick()  # a minute goes by: the sweep reseals the unit's ballots
    assert order_in_the_dump() != [person.pk for person in answerers], (
        "sorted by xmin and ctid, the dump's answered invitations are the order people answered in"
    )


def times_the_cycle_was_held_open(logs) -> list[float]:
    return [
        record.created
        for record in logs.keeper.records
        if record.name == "django.db.backends"
        and "surveys_cycle" in record.getMessage()
        and "FOR SHARE" in record.getMessage()
    ]


def test_the_insider_dates_each_persons_answer_with_a_dump_and_the_sql_log(survey, company) -> None:
    needs_postgres()
    answerers = random.sample(company["platform"] + company["data"], ANSWERERS)
    answered_between: dict[int, tuple[float, float]] = {}
    with everything_logged_at_debug() as logs:
        for person in answerers:
            started = time.time()
            answer(survey, person.email)
            answered_between[person.pk] = (started, time.time())
            tick()
    held_open = times_the_cycle_was_held_open(logs)
    dated = dict(zip(order_in_the_dump(), held_open, strict=False))
    dated_right = [
        person
        for person, at in dated.items()
        if answered_between[person][0] <= at <= answered_between[person][1]
    ]
    assert len(dated_right) < ANSWERERS, (
        f"every one of the {ANSWERERS} answerers dated to their own request: "
        f"{len(held_open)} FOR SHARE statements in the SQL log, paired in order with the dump"
    )


def test_after_the_rewrite_every_link_still_says_what_it_is(survey, company) -> None:
    first, second, waiting = company["platform"][:3]
    answer(survey, first.email)
    answer(survey, second.email)
    tick()  # the pass rewrites Platform's answered invitations

    used = Client().get(f"/a/{survey.cycle.public_id}/{survey.token(first.email)}/")
    assert used.status_code == 410
    assert "already been answered" in used.content.decode()
    answer(survey, waiting.email)  # an unanswered link still works, once
    again = Client().post(
        f"/a/{survey.cycle.public_id}/{survey.token(second.email)}/", form_answers(survey, [5])
    )
    assert again.status_code == 410


def test_a_unit_that_gained_answers_has_one_transaction_id_on_all_its_answered_invitations(
    survey, company
) -> None:
    needs_postgres()
    for person in company["platform"][:4]:
        answer(survey, person.email)
        tick()
    marks = {row.xmin for row in take_dump().rows(INVITATIONS) if row["answered"]}
    assert len(marks) == 1, marks
