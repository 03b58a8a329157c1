"""Casting an answer: redeem the link, check the answers, seal the ballot, in one transaction.

The transaction is the door between the two planes: surveys marks the invitation answered and
hands back only the survey and the reporting unit; the sealed ballot is written beside it, so an
accepted answer is never lost and a refused one leaves no trace.

A sheet that answers nothing is recognised before the link is redeemed (the rule needs no
survey, pulse.answer_sheet.nothing_answered): it writes nothing at all, not even a redemption
rolled back, so the invitation stays exactly as it was and the empty "send" counts nowhere.
The link is only read, to say what it is (still usable, used, closed).

The ballot keeps no mark of that transaction for long: the next sweep re-seals every waiting
ballot of the unit under a fresh id and fresh bytes (pulse.sweep).
"""

from django.db import transaction

from pulse.answer_sheet import NothingAnswered, checked_sheet, nothing_answered
from pulse.models import PendingBallot
from pulse.sealing import seal
from surveys.redemption import LinkRefused, LinkStatus, Survey, look_up, redeem


def cast_answers(*, token: str, data: object, cycle_public_id: str | None = None) -> Survey:
    """Consume the link and store the sealed answers, or do neither.

    `data` is what the respondent sent, `{"answers": {key: 1..7}, "enps": 0..10, "comment":
    ""}`, every part optional but not all (pulse.answer_sheet). Raises LinkRefused for a link
    that cannot be used, NothingAnswered for a sheet with nothing in it (nothing is written),
    and InvalidAnswers (which rolls the redemption back and leaves the link usable) for
    answers that do not fit its survey. `cycle_public_id`: the cycle's id the link carried, if
    any (surveys.redemption). Returns the survey the answers went to."""
    if nothing_answered(data):
        link = look_up(token, cycle_public_id=cycle_public_id)
        if link.status != LinkStatus.VALID:
            raise LinkRefused(link)
        raise NothingAnswered()
    with transaction.atomic():
        redemption = redeem(token, cycle_public_id=cycle_public_id)
        sheet = checked_sheet(survey=redemption.survey, data=data)
        PendingBallot.objects.create(
            cycle_id=redemption.survey.cycle_id,
            reporting_unit_id=redemption.reporting_unit_id,
            sealed=seal(sheet.payload(), cycle_id=redemption.survey.cycle_id),
        )
    return redemption.survey
