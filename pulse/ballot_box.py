"""Casting an answer: redeem the link, check the answers, seal the ballot, in one transaction.

The transaction is the door between the two planes: surveys marks the invitation answered and
hands back only the survey and the reporting unit; the sealed ballot is written beside it, so an
accepted answer is never lost and a refused one leaves no trace. Nothing about the person
travels on.

The ballot keeps no mark of that transaction for long: the next sweep re-seals every waiting
ballot of the unit under a fresh id and fresh bytes (pulse.sweep).
"""

from django.db import transaction

from pulse.answer_sheet import checked_sheet
from pulse.models import PendingBallot
from pulse.sealing import seal
from surveys.redemption import Survey, redeem


def cast_answers(*, token: str, data: object) -> Survey:
    """Consume the link and store the sealed answers, or do neither.

    `data` is what the respondent sent, `{"answers": {key: 1..7}, "enps": 0..10, "comment":
    ""}`, every part optional (pulse.answer_sheet). Raises LinkRefused for a link that cannot
    be used, and InvalidAnswers (which rolls the redemption back and leaves the link usable)
    for answers that do not fit its survey. Returns the survey the answers went to."""
    with transaction.atomic():
        redemption = redeem(token)
        sheet = checked_sheet(survey=redemption.survey, data=data)
        PendingBallot.objects.create(
            cycle_id=redemption.survey.cycle_id,
            reporting_unit_id=redemption.reporting_unit_id,
            sealed=seal(sheet.payload(), cycle_id=redemption.survey.cycle_id),
        )
    return redemption.survey
