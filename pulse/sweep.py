"""Moving sealed ballots into the response store, a shuffled batch at a time (DESIGN §4.3).

Per reporting unit, ballots move only once at least B of them wait (B = the larger of the
cycle's k and PULSE_FLUSH_BATCH), or all of them once the cycle has closed. They are unsealed,
shuffled with the system's random source, inserted in that order and deleted, in one
transaction per unit. Storage order and a database's transaction ids therefore say nothing
finer than "this batch", and the batch is never smaller than k.
"""

import logging
import secrets

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count

from pulse.models import Comment, PendingBallot, Response
from pulse.sealing import unseal
from surveys.models import Cycle, CycleState

logger = logging.getLogger(__name__)


def flush_ballots() -> int:
    """Move every batch that is due. Returns how many ballots moved."""
    waiting = (
        PendingBallot.objects.values("cycle_id", "reporting_unit_id")
        .annotate(count=Count("id"))
        .order_by()
    )
    cycles = {
        cycle.pk: cycle
        for cycle in Cycle.objects.filter(pk__in={row["cycle_id"] for row in waiting})
    }
    moved = 0
    for row in waiting:
        cycle = cycles[row["cycle_id"]]
        closed = cycle.state == CycleState.CLOSED
        if closed or row["count"] >= batch_size(cycle):
            moved += flush_unit(
                cycle_id=cycle.pk,
                unit_id=row["reporting_unit_id"],
                minimum=0 if closed else batch_size(cycle),
            )
    return moved


def batch_size(cycle: Cycle) -> int:
    return max(cycle.k, settings.PULSE_FLUSH_BATCH or cycle.k)


def flush_unit(*, cycle_id: int, unit_id: int, minimum: int) -> int:
    with transaction.atomic():
        pending = PendingBallot.objects.filter(cycle_id=cycle_id, reporting_unit_id=unit_id)
        if connection.features.has_select_for_update_skip_locked:
            # Two sweeps at once: each takes the rows the other has not locked.
            pending = pending.select_for_update(skip_locked=True)
        ballots = list(pending)
        if not ballots or len(ballots) < minimum:
            return 0
        opened = [unseal(ballot.sealed, cycle_id=cycle_id) for ballot in ballots]
        shuffle = secrets.SystemRandom().shuffle
        shuffle(opened)
        Response.objects.bulk_create(
            Response(
                cycle_id=cycle_id,
                reporting_unit_id=unit_id,
                answers=ballot["answers"],
                enps=ballot["enps"],
            )
            for ballot in opened
        )
        comments = [ballot["comment"] for ballot in opened if ballot["comment"]]
        shuffle(comments)  # again, on their own: a comment's position must not match its scores
        Comment.objects.bulk_create(
            Comment(cycle_id=cycle_id, reporting_unit_id=unit_id, text=text) for text in comments
        )
        PendingBallot.objects.filter(pk__in=[ballot.pk for ballot in ballots]).delete()
    logger.info("Moved a batch of %s ballots into the response store", len(ballots))
    return len(ballots)
