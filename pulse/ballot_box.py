"""Casting an answer: redeem the link, validate the answers, seal the ballot, in one transaction.

The transaction is the door (DESIGN §3): surveys marks the invitation answered and hands back
only the cycle and the reporting unit; the sealed ballot is written beside it, so an accepted
answer is never lost and a refused one leaves no trace. Nothing about the person travels on.
"""

import uuid

from django.db import connection, transaction

from pulse.answer_sheet import validate_answers
from pulse.ballot_statement import cast_in_one_statement
from pulse.models import PendingBallot
from pulse.sealing import seal
from surveys.redemption import items_of_cycle, redeem_token


def cast_answers(*, token: str, answers: object, enps: object, comment: object) -> None:
    """Consume the link and store the sealed answers, or do neither.

    The link is redeemed first, in one statement, because only then is its cycle known, and so
    the questions the answers must match; answers that do not fit raise InvalidAnswers, which
    rolls the redemption back and leaves the link usable. A link that cannot be used raises
    TokenNotRedeemable.

    On PostgreSQL the fast path does the same in one statement when it can (see
    pulse.ballot_statement); this path stands behind it for everything else."""
    if cast_in_one_statement(token=token, answers=answers, enps=enps, comment=comment):
        return
    with transaction.atomic():
        redemption = redeem_token(token)
        sheet = validate_answers(
            items=items_of_cycle(redemption.cycle_id), answers=answers, enps=enps, comment=comment
        )
        drop_in_box(
            cycle_id=redemption.cycle_id,
            reporting_unit_id=redemption.reporting_unit_id,
            sealed=seal(
                {"answers": sheet.answers, "enps": sheet.enps, "comment": sheet.comment},
                cycle_id=redemption.cycle_id,
            ),
        )


def drop_in_box(*, cycle_id: int, reporting_unit_id: int, sealed: bytes) -> None:
    """Store one sealed ballot with a single INSERT, written out because every answer pays for
    it and the ORM's save machinery cost more than the statement. Values are prepared by the
    model's own fields, so the row is exactly what PendingBallot.objects.create would store."""
    values = {
        "id": uuid.uuid4(),
        "cycle": cycle_id,
        "reporting_unit": reporting_unit_id,
        "sealed": sealed,
    }
    model = PendingBallot._meta
    fields = [model.get_field(name) for name in values]
    columns = ", ".join(field.column for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.execute(
            # Only the model's own table and column names are interpolated.
            f"INSERT INTO {model.db_table} ({columns}) VALUES ({placeholders})",  # noqa: S608  # nosec B608
            [field.get_db_prep_save(values[field.name], connection) for field in fields],
        )
