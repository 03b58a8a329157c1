"""Casting an answer: check the answers, redeem the link, seal the ballot, in one transaction.

The transaction is the door between the two planes: surveys marks the invitation answered and
hands back only the survey and the reporting unit; the sealed ballot is written beside it, so an
accepted answer is never lost. Nothing about the person travels on.

The answers are checked against the link's survey before the link is touched: a sheet that is
refused (invalid, or answering nothing) writes nothing at all, not even a redemption rolled
back, so an empty "send" leaves the invitation exactly as it was and counts nowhere.

The ballot keeps no mark of that transaction for long: the next sweep re-seals every waiting
ballot of the unit under a fresh id and fresh bytes (pulse.sweep).
"""

from django.db import transaction

from pulse.answer_sheet import checked_sheet
from pulse.models import PendingBallot
from pulse.sealing import seal
from surveys.redemption import LinkRefused, LinkStatus, Survey, look_up, redeem


def cast_answers(*, token: str, data: object, cycle_public_id: str | None = None) -> Survey:
    """Consume the link and store the sealed answers, or do neither.

    `data` is what the respondent sent, `{"answers": {key: 1..7}, "enps": 0..10, "comment":
    ""}`, every part optional but not all (pulse.answer_sheet). Raises LinkRefused for a link
    that cannot be used, InvalidAnswers for answers that do not fit its survey and
    NothingAnswered for a sheet with nothing in it; after either, the link is untouched and
    usable. `cycle_public_id`: the cycle's id the link carried, if any (surveys.redemption).
    Returns the survey the answers went to."""
    link = look_up(token, cycle_public_id=cycle_public_id)
    if link.status != LinkStatus.VALID or link.survey is None:
        raise LinkRefused(link)
    # The survey behind a link is fixed at launch, so checking against it now holds for the
    # redemption below.
    sheet = checked_sheet(survey=link.survey, data=data)
    with transaction.atomic():
        redemption = redeem(token, cycle_public_id=cycle_public_id)
        PendingBallot.objects.create(
            cycle_id=redemption.survey.cycle_id,
            reporting_unit_id=redemption.reporting_unit_id,
            sealed=seal(sheet.payload(), cycle_id=redemption.survey.cycle_id),
        )
    return redemption.survey
