"""The sweep: a pool mix between the door and the response store (docs/anonymity.md, A1).

A ballot arrives sealed, in the transaction that marked its invitation answered, so for a
moment it shares that transaction's marks (PostgreSQL's xmin; SQLite's rowid order). Every
sweep (each tick) therefore rewrites, per reporting unit, every waiting ballot of a unit that
received one since the last sweep: all of them opened, shuffled, sealed again under fresh ids
and fresh bytes, in one transaction. After that, no waiting ballot can be told from another,
nor paired with the invitation that brought it.

Ballots move into the response store only when at least 2k of a unit wait, and then a random
number of them, at least k and leaving at least k behind, picked at random: a stored batch is
never an arrival window. When the cycle closes, each reporting cell's remaining ballots are
stored in one batch, where closing put them (a unit with fewer than k respondents is counted in
its parent's cell: surveys.closing); if the whole survey had fewer than k respondents, their
ballots are destroyed unopened, since no batch may hold fewer than k.

A ballot is opened with its text made storable (pulse.storable_text): one sealed before the
door refused NUL characters and lone surrogates is repaired, never dropped. A unit (or, at
close, a cell) whose storing still fails is rolled back, logged by its ids (common.failures)
and recorded on its cycle for HR (`Cycle.stuck_reason`); the other units and cycles go on, and
the failed one is tried again at the next sweep. Its ballots wait, sealed, unopened, but not
in the rows they arrived in: the failed rewrite took its new rows back with it, so they are
moved again in a transaction of their own, their sealed bytes copied as they are (no key is
needed) into fresh rows in a shuffled order. A failure that lasts (a worker given the wrong
private key) therefore ties no ballot to its author's transaction for longer than one sweep,
as in normal operation; once the fault is fixed, the next sweep stores them as usual.

The follow-through item is asked only of units shown a focus, so within one cell the question
set can split the ballots in two: those asked it and those not. Where both groups are there and
one holds fewer than k, the item's answers are taken out of every ballot of the cell before it
is stored (not kept, like a cell below k): stored, the responses that answer it, or those that
do not, would be that small group. A unit's own ballots are always alike (the focus is decided
per reporting unit at launch), so batches stored while the survey is open never split.

The invitations behind the new ballots are rewritten too, in a transaction of their own
(surveys.redemption.forget_answer_order): every answered invitation of a unit that gained an
answer gets a fresh row in random order, so a backup cannot sort the unit's answerers into the
order they answered in.

Nothing here logs how many ballots moved.
"""

import logging
import secrets
from collections import defaultdict
from collections.abc import Callable
from functools import partial

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from common.compaction import compact
from common.failures import log_failure
from pulse.models import Comment, PendingBallot, Response
from pulse.sealing import seal, unseal
from pulse.storable_text import repaired_ballot
from surveys.instrument import FOLLOW_THROUGH_KEY
from surveys.models import Cycle, CycleItem, CycleState, CycleTeam, Invitation, StuckReason
from surveys.redemption import forget_answer_order

logger = logging.getLogger(__name__)
shuffler = secrets.SystemRandom()


def sweep() -> None:
    """Rewrite or move every unit's waiting ballots that are due, then compact the table."""
    waiting = list(
        PendingBallot.objects.values("cycle_id", "reporting_unit_id")
        .annotate(count=Count("id"), fresh=Count("id", filter=Q(rewritten=False)))
        .order_by()
    )
    cycles = Cycle.objects.in_bulk({row["cycle_id"] for row in waiting})
    closed_units: dict[int, set[int]] = defaultdict(set)
    failed: set[int] = set()
    rewrote_invitations = False
    for row in waiting:
        cycle = cycles[row["cycle_id"]]
        unit_id = row["reporting_unit_id"]
        if cycle.state == CycleState.CLOSED:
            closed_units[cycle.pk].add(unit_id)
        else:
            if (row["fresh"] or row["count"] >= 2 * cycle.k) and not went_through(
                cycle, unit_id, partial(mix_unit, cycle=cycle, unit_id=unit_id)
            ):
                failed.add(cycle.pk)
                move_unopened(cycle=cycle, unit_ids=[unit_id])
            if row["fresh"]:
                # The new answers' invitations still carry their transactions' ids.
                rewrote_invitations = True
                went_through(
                    cycle,
                    unit_id,
                    partial(forget_answer_order, cycle_id=cycle.pk, unit_id=unit_id),
                    stage="Rewriting answered invitations",
                )
    for cycle_id, unit_ids in closed_units.items():
        if not store_closed_cycle(cycle=cycles[cycle_id], unit_ids=unit_ids):
            failed.add(cycle_id)
    for cycle_id in cycles.keys() - failed:
        Cycle.objects.clear_stuck(cycle_id, reasons=[StuckReason.STORING])
    if waiting:
        # The rewrites left dead versions that keep the answering transactions' ids.
        compact(PendingBallot._meta.db_table)
    if rewrote_invitations:
        compact(Invitation._meta.db_table)


def went_through(
    cycle: Cycle, unit_id: int, store: Callable[[], object], *, stage: str = "Storing answers"
) -> bool:
    """Run one unit's (or cell's) storing; on failure, log it by ids and record it for HR."""
    try:
        store()
    except Exception as error:
        log_failure(logger, stage=stage, error=error, cycle=cycle.pk, unit=unit_id)
        Cycle.objects.mark_stuck(cycle.pk, reason=StuckReason.STORING, now=timezone.now())
        return False
    return True


def move_unopened(*, cycle: Cycle, unit_ids: list[int]) -> None:
    """After a failed store, move the units' waiting ballots to fresh rows (contained too)."""
    for unit_id in unit_ids:
        went_through(
            cycle,
            unit_id,
            partial(copy_sealed, cycle=cycle, unit_id=unit_id),
            stage="Moving waiting answers",
        )


def copy_sealed(*, cycle: Cycle, unit_id: int) -> None:
    """Copy a unit's waiting ballots, sealed bytes unchanged, into new rows in a shuffled
    order and delete the old ones: a fresh transaction id and fresh positions, no key needed.
    Every copy is marked not yet rewritten, so the next sweep tries storing the unit again and
    no flag tells the latest arrivals apart."""
    with transaction.atomic(durable=True):
        ballots = list(
            PendingBallot.objects.select_for_update().filter(
                cycle_id=cycle.pk, reporting_unit_id=unit_id
            )
        )
        sealed = [bytes(ballot.sealed) for ballot in ballots]
        shuffler.shuffle(sealed)
        PendingBallot.objects.filter(pk__in=[ballot.pk for ballot in ballots]).delete()
        PendingBallot.objects.bulk_create(
            PendingBallot(
                cycle_id=cycle.pk, reporting_unit_id=unit_id, sealed=data, rewritten=False
            )
            for data in sealed
        )


def opened(ballot: PendingBallot, *, cycle_id: int) -> dict:
    """A waiting ballot's answers, with any text the database would refuse repaired."""
    return repaired_ballot(unseal(ballot.sealed, cycle_id=cycle_id))


def mix_unit(*, cycle: Cycle, unit_id: int, store_batch: bool = True) -> None:
    """Open, shuffle and seal again every waiting ballot of the unit, storing a random batch
    of them when enough wait (none with `store_batch=False`: a closed cycle's ballots are
    stored only by their cell, store_cell)."""
    with transaction.atomic(durable=True):
        ballots = list(
            PendingBallot.objects.select_for_update().filter(
                cycle_id=cycle.pk, reporting_unit_id=unit_id
            )
        )
        payloads = [opened(ballot, cycle_id=cycle.pk) for ballot in ballots]
        shuffler.shuffle(payloads)
        moving = batch_size(waiting=len(payloads), k=cycle.k) if store_batch else 0
        store_responses(cycle=cycle, unit_id=unit_id, opened=payloads[:moving])
        PendingBallot.objects.filter(pk__in=[ballot.pk for ballot in ballots]).delete()
        PendingBallot.objects.bulk_create(
            PendingBallot(
                cycle_id=cycle.pk,
                reporting_unit_id=unit_id,
                sealed=seal(payload, cycle_id=cycle.pk),
                rewritten=True,
            )
            for payload in payloads[moving:]
        )


def batch_size(*, waiting: int, k: int) -> int:
    """How many of `waiting` ballots to store now: none below 2k; else k to waiting - k."""
    if waiting < 2 * k:
        return 0
    return k + shuffler.randrange(waiting - 2 * k + 1)


def store_closed_cycle(*, cycle: Cycle, unit_ids: set[int]) -> bool:
    """Store what still waits, one batch per reporting cell, where closing counted it. False
    if a cell failed (the others are stored)."""
    cells: dict[int, list[int]] = defaultdict(list)
    counted_in = dict(
        CycleTeam.objects.filter(pk__in=unit_ids).values_list("pk", "answers_counted_in")
    )
    for unit_id in unit_ids:
        cells[counted_in[unit_id] or unit_id].append(unit_id)
    stored_counts = dict(
        CycleTeam.objects.filter(pk__in=cells).values_list("pk", "unit_respondent_count")
    )
    # Asked the follow-through item: shown a focus at launch (its domain frozen there).
    focused = set(
        CycleTeam.objects.filter(pk__in=set(unit_ids) | set(cells))
        .exclude(focus_domain="")
        .values_list("pk", flat=True)
        .order_by()
    )
    stored = True
    for cell_id, members in cells.items():
        if not went_through(
            cycle,
            cell_id,
            partial(
                store_cell,
                cycle=cycle,
                cell_id=cell_id,
                members=members,
                respondents=stored_counts[cell_id],
                focused=focused,
            ),
        ):
            stored = False
            move_unopened(cycle=cycle, unit_ids=members)
    return stored


def store_cell(
    *,
    cycle: Cycle,
    cell_id: int,
    members: list[int],
    respondents: int | None,
    focused: set[int],
) -> None:
    with transaction.atomic(durable=True):
        ballots = list(
            PendingBallot.objects.select_for_update().filter(
                cycle_id=cycle.pk, reporting_unit_id__in=members
            )
        )
        if (respondents or 0) >= cycle.k:
            payloads = [opened(ballot, cycle_id=cycle.pk) for ballot in ballots]
            if splits_on_follow_through(
                cycle=cycle, cell_id=cell_id, ballots=ballots, focused=focused
            ):
                for payload in payloads:
                    payload["answers"].pop(FOLLOW_THROUGH_KEY, None)
            shuffler.shuffle(payloads)
            store_responses(cycle=cycle, unit_id=cell_id, opened=payloads)
        PendingBallot.objects.filter(pk__in=[ballot.pk for ballot in ballots]).delete()


def splits_on_follow_through(
    *, cycle: Cycle, cell_id: int, ballots: list[PendingBallot], focused: set[int]
) -> bool:
    """Would the cell's stored responses split into those asked the follow-through item and
    those not, one of the two groups holding 1..k-1? Counted by the unit each ballot came
    from, not by who answered the item: a response without it may be a skip or never asked,
    but the insider can count the asked and the not asked from the units' answers."""
    asked = sum(1 for ballot in ballots if ballot.reporting_unit_id in focused)
    not_asked = len(ballots) - asked
    # Batches the cell's own unit stored while the survey was open are alike, its own kind.
    stored_before = Response.objects.filter(cycle_id=cycle.pk, reporting_unit_id=cell_id).count()
    if cell_id in focused:
        asked += stored_before
    else:
        not_asked += stored_before
    return asked > 0 and not_asked > 0 and min(asked, not_asked) < cycle.k


def store_responses(*, cycle: Cycle, unit_id: int, opened: list[dict]) -> None:
    """Insert already shuffled ballots; comments shuffled again, apart from their scores."""
    if not opened:
        return
    question_order = list(
        CycleItem.objects.filter(cycle=cycle).order_by("position").values_list("key", flat=True)
    )
    Response.objects.bulk_create(
        Response(
            cycle_id=cycle.pk,
            reporting_unit_id=unit_id,
            # Keys in question order: the stored text must not keep any order a client chose.
            answers={
                key: ballot["answers"][key] for key in question_order if key in ballot["answers"]
            },
            enps=ballot["enps"],
        )
        for ballot in opened
    )
    comments = [ballot["comment"] for ballot in opened if ballot["comment"]]
    shuffler.shuffle(comments)
    Comment.objects.bulk_create(
        Comment(cycle_id=cycle.pk, reporting_unit_id=unit_id, text=text) for text in comments
    )
