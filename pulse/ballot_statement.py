"""Casting an answer in one PostgreSQL statement: the door's fast path.

The general path (`ballot_box.cast_answers`) redeems the link first, because only then is its
cycle known, and so the questions to check the answers against and the cycle to seal them for;
that takes a transaction of four round trips. Here the open cycles are known beforehand (a hint
each process refreshes every few seconds), so the answers are checked and sealed first, for
every open cycle they fit, and one statement then redeems the link and stores the ballot sealed
for the link's own cycle. One statement is one transaction: it does both or neither.

When it stores nothing (the link is unknown, used or closed, its cycle is not in the hint yet,
or the answers fit no open cycle) the caller takes the general path, which gives the exact
answer. The redemption clauses come from `surveys`: the door is still the only place where the
planes meet, and nothing about the person travels further than before.
"""

import uuid
import weakref

from django.db import connection
from django.db.backends.utils import CursorWrapper

from pulse.answer_sheet import InvalidAnswers, validate_answers
from pulse.models import PendingBallot
from pulse.sealing import seal
from surveys.redemption import (
    items_of_cycle,
    recently_open_cycle_ids,
    redemption_clauses,
    redemption_parameters,
)

# The answers are sealed once per open cycle they fit; past this many, the general path is
# cheaper than the sealing.
MOST_CANDIDATE_CYCLES = 16


def cast_in_one_statement(*, token: str, answers: object, enps: object, comment: object) -> bool:
    """True if the link was consumed and the sealed ballot stored; False if nothing happened."""
    if connection.vendor != "postgresql" or not isinstance(answers, dict):
        return False
    cycle_ids = cycles_the_answers_fit(set(answers))
    parameters = redemption_parameters(token, cycle_ids)
    if not 0 < len(cycle_ids) <= MOST_CANDIDATE_CYCLES or parameters is None:
        return False
    try:
        # Every candidate cycle has every answered question, so one check stands for all.
        sheet = validate_answers(
            items=items_of_cycle(cycle_ids[0]), answers=answers, enps=enps, comment=comment
        )
    except InvalidAnswers:
        return False  # the general path reports the errors, once it knows the link is valid
    payload = {"answers": sheet.answers, "enps": sheet.enps, "comment": sheet.comment}
    sealed_per_cycle = [seal(payload, cycle_id=cycle_id) for cycle_id in cycle_ids]
    ballot_id = PendingBallot._meta.pk.get_db_prep_save(uuid.uuid4(), connection)
    with connection.cursor() as cursor:
        cursor.execute(
            prepared_cast(cursor, digest_count=len(parameters) - 2),
            [*parameters, ballot_id, sealed_per_cycle, cycle_ids],
        )
        return cursor.fetchone() is not None


def cycles_the_answers_fit(answered_keys: set) -> list[int]:
    """Open cycles (as recently seen) that ask every question these answers answer."""
    return [
        cycle_id
        for cycle_id in recently_open_cycle_ids()
        if answered_keys <= {item.key for item in items_of_cycle(cycle_id)}
    ]


def cast_statement(digest_count: int) -> str:
    """Redeem, then insert the ballot sealed for the redeemed link's cycle. Parameters: those of
    `redemption_clauses`, the ballot's id, the sealed ballots and their cycles (two arrays)."""
    model = PendingBallot._meta
    columns = ", ".join(
        model.get_field(name).column for name in ("id", "cycle", "reporting_unit", "sealed")
    )
    # Only the model's own table and column names are interpolated.
    insert = f"INSERT INTO {model.db_table} ({columns})"
    clauses = redemption_clauses(digest_count)
    return (
        f"WITH {clauses} {insert} SELECT %s, cycle_id, reporting_unit_id, "  # noqa: S608  # nosec B608
        "(%s::bytea[])[array_position(%s::integer[], cycle_id)] FROM redeemed RETURNING 1"
    )


# Per PostgreSQL connection: the names of the cast statements prepared on it.
_prepared: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def prepared_cast(cursor: CursorWrapper, *, digest_count: int) -> str:
    """The cast statement to execute, prepared once per connection.

    Planning its joins took longer than running them. A prepared statement belongs to the
    session and outlives transactions and rollbacks; a new connection prepares it again."""
    # Named after the table, so that log redaction withholds EXECUTE lines (whose parameters are
    # sealed ballots) like any other statement on the anonymous tables.
    name = f"{PendingBallot._meta.db_table}_cast_{digest_count}"
    names = _prepared.setdefault(connection.connection, set())
    parameter_count = digest_count + 5
    if name not in names:
        numbered = cast_statement(digest_count) % tuple(
            f"${number}" for number in range(1, parameter_count + 1)
        )
        cursor.execute(f"PREPARE {name} AS {numbered}")
        names.add(name)
    return f"EXECUTE {name}({', '.join(['%s'] * parameter_count)})"
