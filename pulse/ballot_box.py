"""Casting an answer: redeem the link, validate the answers, seal the ballot, in one transaction.

The transaction is the door (DESIGN §3): surveys marks the invitation answered and hands back
only the cycle and the reporting unit; the sealed ballot is written beside it, so an accepted
answer is never lost and a refused one leaves no trace. Nothing about the person travels on.
"""

import uuid
from dataclasses import dataclass, field

from django.db import connection, transaction

from pulse.models import PendingBallot
from pulse.sealing import seal
from surveys.models import CycleItem
from surveys.redemption import items_of_cycle, redeem_token

SCALE = range(1, 8)
ENPS_SCALE = range(0, 11)
COMMENT_MAX_LENGTH = 2000


@dataclass
class AnswerSheet:
    """Validated answers: item key → 1..7 (skipped items absent), eNPS or None, a comment."""

    answers: dict[str, int] = field(default_factory=dict)
    enps: int | None = None
    comment: str = ""


class InvalidAnswers(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("invalid answers")
        self.errors = errors


def validate_answers(
    *, items: list[CycleItem], answers: dict, enps: object, comment: object
) -> AnswerSheet:
    """Check raw answers against the cycle's items; every problem reported by field."""
    errors: dict[str, str] = {}
    keys = {item.key for item in items}
    sheet = AnswerSheet()
    if not isinstance(answers, dict):
        raise InvalidAnswers({"answers": "must map each question's key to an answer from 1 to 7"})
    for key, value in answers.items():
        if key not in keys:
            errors[str(key)] = "is not a question of this survey"
        elif value in (None, ""):
            continue  # skipped
        elif as_int(value) not in SCALE:
            errors[key] = "must be a whole number from 1 (strongly disagree) to 7 (strongly agree)"
        else:
            sheet.answers[key] = as_int(value)
    if enps not in (None, ""):
        if as_int(enps) not in ENPS_SCALE:
            errors["enps"] = "must be a whole number from 0 to 10"
        else:
            sheet.enps = as_int(enps)
    if comment is not None and not isinstance(comment, str):
        errors["comment"] = "must be text"
    else:
        sheet.comment = (comment or "").strip()
        if len(sheet.comment) > COMMENT_MAX_LENGTH:
            errors["comment"] = (
                f"is {len(sheet.comment)} characters long; please keep it under "
                f"{COMMENT_MAX_LENGTH}"
            )
    if errors:
        raise InvalidAnswers(errors)
    return sheet


def as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def cast_answers(*, token: str, answers: object, enps: object, comment: object) -> None:
    """Consume the link and store the sealed answers, or do neither.

    The link is redeemed first, in one statement, because only then is its cycle known, and so
    the questions the answers must match; answers that do not fit raise InvalidAnswers, which
    rolls the redemption back and leaves the link usable. A link that cannot be used raises
    TokenNotRedeemable."""
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
