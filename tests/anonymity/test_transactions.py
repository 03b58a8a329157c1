"""Attack: find one database transaction that wrote both an invitation and a stored response.
Such a transaction would pair "Bob's link was used" with "this row is Bob's answer"."""

import re
from collections import defaultdict

import pytest
from django.db import connection

from pulse.sweep import sweep
from surveys.closing import close_cycle
from tests.anonymity.conftest import form_answers

# Anywhere in the statement, not just at its start: WITH ... UPDATE writes too.
WRITES = re.compile(r"\b(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


@pytest.mark.django_db(transaction=True)
def test_no_transaction_writes_both_invitations_and_responses(
    client, item_catalogue, survey, company
) -> None:
    touched: dict[object, set[str]] = defaultdict(set)

    def record(execute, sql, params, many, context):
        if WRITES.search(sql):
            # Statements outside any atomic block autocommit one by one: their own transaction.
            # The block itself, not its id(): held here, it cannot be freed and its id reused
            # by a later transaction, which would merge two transactions into one key.
            transaction_key = connection.atomic_blocks[0] if connection.atomic_blocks else object()
            for table in (
                "surveys_invitation",
                "pulse_response",
                "pulse_comment",
                "pulse_pendingballot",
            ):
                if f'"{table}"' in sql or f" {table} " in sql:
                    touched[transaction_key].add(table)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        for engineer in company["platform"][:12]:
            client.post(
                f"/a/{survey.token(engineer.email)}/",
                form_answers(survey, [5, 6, 7, 4], comment="fine"),
            )
        sweep()
        close_cycle(cycle_id=survey.cycle.pk)
        sweep()

    assert any("pulse_response" in tables for tables in touched.values()), "the sweep was seen"
    assert any(
        {"surveys_invitation", "pulse_pendingballot"} <= tables for tables in touched.values()
    ), "the door (invitation + sealed ballot in one transaction) was seen"
    for tables in touched.values():
        assert not (
            {"surveys_invitation"} & tables and {"pulse_response", "pulse_comment"} & tables
        ), tables
