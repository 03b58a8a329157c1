"""The door between the planes: looking up and redeeming an answer link.

This module is the whole interface `pulse` has to a person's invitation:

- `look_up(token)` is read-only. A GET of the link shows the form and never consumes it.
- `redeem(token)` consumes the link, once, inside the caller's transaction, and returns only the
  survey and the reporting unit. Nothing about the person travels further.

Both take the cycle's public id that emailed links carry beside the token
(`/a/<public id>/<token>/`). With it, a token is looked for only among that cycle's invitations
(a guess sent with a closed cycle's id can therefore find nothing, and is no way around the
unknown-link throttle), and a token not found in a cycle that has closed is CLOSED rather than
UNKNOWN: its digest was wiped at close, but the public id, the same for everyone invited, says
which survey it was and nothing about who. Links without it (`/a/<token>/`) work as before.

A link's survey is its reporting unit's: where the unit was shown a shared focus at launch, it
carries that focus (to show above the questions) and the follow-through item naming it; every
other unit's survey leaves the item out, so answers to it are refused there.

The caller stores the sealed answers in the same transaction, so an accepted answer is never
lost and a refused one leaves no trace.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import cast

from django.db import connection, transaction

from surveys.cycle_lock import hold_cycle_open
from surveys.follow_through import (
    SharedFocus,
    ShownCommitment,
    follow_through_text,
    shown_focus_by_unit,
)
from surveys.instrument import FOLLOW_THROUGH_KEY
from surveys.models import Cycle, CycleState, Invitation

__all__ = [
    "LinkRefused",
    "LinkState",
    "LinkStatus",
    "Question",
    "Redemption",
    "SharedFocus",
    "ShownCommitment",
    "Survey",
    "forget_answer_order",
    "look_up",
    "redeem",
]
from surveys.tokens import candidate_digests, looks_like_token


class LinkStatus(StrEnum):
    VALID = "valid"
    UNKNOWN = "unknown"
    USED = "used"
    CLOSED = "closed"


@dataclass(frozen=True)
class Question:
    key: str
    text: str


@dataclass(frozen=True)
class Survey:
    """What the answer page may show about the survey behind a link."""

    cycle_id: int
    k: int
    k_comment: int
    closes_at: datetime
    questions: tuple[Question, ...]
    # The focus the link's reporting unit was shown at launch, None where it has none.
    focus: SharedFocus | None = None
    # When it closed (earlier than closes_at if HR closed it early); None while open.
    closed_at: datetime | None = None
    # When its managers were told its results are ready; None until then.
    results_shared_at: datetime | None = None


@dataclass(frozen=True)
class LinkState:
    status: LinkStatus
    # None for an unknown link: it learns nothing, not even which survey it might have been.
    survey: Survey | None = None


@dataclass(frozen=True)
class Redemption:
    """All that leaves the identity plane with an answer."""

    survey: Survey
    reporting_unit_id: int


class LinkRefused(Exception):
    """A link that cannot be used, with what the answer page may say about it."""

    def __init__(self, link: LinkState) -> None:
        super().__init__(link.status.value)
        self.status = link.status
        self.survey = link.survey


def look_up(token: str, *, cycle_public_id: str | None = None) -> LinkState:
    found = invitation_behind(token, cycle_public_id)
    if found is None:
        closed = closed_survey(cycle_public_id) if looks_like_token(token) else None
        if closed is not None:
            return LinkState(LinkStatus.CLOSED, closed)
        return LinkState(LinkStatus.UNKNOWN)
    if found.cycle_state != CycleState.OPEN:
        return LinkState(LinkStatus.CLOSED, found.survey)
    if found.answered:
        return LinkState(LinkStatus.USED, found.survey)
    return LinkState(LinkStatus.VALID, found.survey)


def redeem(token: str, *, cycle_public_id: str | None = None) -> Redemption:
    """Consume `token` exactly once; raises LinkRefused if it cannot be used.

    Must run inside the transaction that stores the answers: if that transaction rolls back
    (invalid answers, a crash), the link stays usable. The cycle is held open until commit
    (surveys.cycle_lock), so a close waits for this answer and counts it. The UPDATE repeats
    `answered = FALSE` in its own condition: that is the whole guarantee against double submits,
    because of two concurrent requests the second waits for the first's row lock, re-checks the
    condition against the committed row, and changes nothing. The survey read before the lock
    cannot have changed under it: a cycle's questions, thresholds and closing time are fixed at
    launch."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("redeem() must run inside the transaction that stores the answers")
    found = invitation_behind(token, cycle_public_id)
    if (
        found is None
        or not hold_cycle_open(found.survey.cycle_id)
        or not Invitation.objects.filter(pk=found.invitation_id, answered=False).update(
            answered=True
        )
    ):
        # Refusals are rare: read again, so the page says what the link is now.
        raise LinkRefused(look_up(token, cycle_public_id=cycle_public_id))
    return Redemption(survey=found.survey, reporting_unit_id=found.reporting_unit_id)


def forget_answer_order(*, cycle_id: int, unit_id: int) -> int:
    """Write the reporting unit's answered invitations again, as fresh rows in random order, in
    a transaction of their own; returns how many.

    Redeeming a link UPDATEs its invitation, and on PostgreSQL the new row version keeps the
    answer's transaction id (xmin) and is laid down where the next free space was (ctid): sorted
    by either, a backup lists the unit's answerers in the order they answered. The scheduler
    calls this for every unit that gained an answer since its last pass, so from then on every
    answered invitation of the unit carries the same transaction id and a random position, and
    a backup says who in the unit has answered (which the door needs to know) but not in which
    order. Re-inserted under the same ids (the link digests point at them; the foreign key is
    checked at commit), with every column as it was.

    Rows a sender has claimed or holds locked right now are left out: the sender's own UPDATE
    rewrites them in its batch, which follows invitation order, not answer order; and a sender
    never finds a row of its claim replaced under it."""
    with transaction.atomic(durable=True):
        rows = list(
            Invitation.objects.select_for_update(skip_locked=True)
            .filter(
                cycle_id=cycle_id,
                reporting_unit_id=unit_id,
                answered=True,
                send_batch__isnull=True,
            )
            .order_by()
        )
        if not rows:
            return 0
        secrets.SystemRandom().shuffle(rows)
        # A plain DELETE: the ORM's delete() would first delete the link digests with them.
        Invitation.objects.filter(pk__in=[row.pk for row in rows])._raw_delete(connection.alias)
        Invitation.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


@dataclass(frozen=True)
class LinkedInvitation:
    """What the door reads of the invitation behind a link; only `survey` leaves this module."""

    invitation_id: int
    answered: bool | None
    cycle_state: str
    reporting_unit_id: int
    survey: Survey


# One row per question of the link's cycle: the invitation and the cycle repeat on every row, so
# the door reads a link with one statement. From the invitation rather than the token: its own
# columns need no join, and every join Django resolves per column is most of the query's cost.
LINK_COLUMNS = (
    "id",
    "answered",
    "reporting_unit_id",
    "cycle_id",
    "reporting_unit__focus_domain",
    "cycle__state",
    "cycle__k",
    "cycle__k_comment",
    "cycle__closes_at",
    "cycle__items__position",
    "cycle__items__key",
    "cycle__items__text",
)
LinkRow = tuple[int, bool | None, int, int, str, str, int, int, datetime, int | None, str, str]


def invitation_behind(token: str, cycle_public_id: str | None) -> LinkedInvitation | None:
    """The invitation a link belongs to and its survey, or None for a link that is not ours
    (or, given a cycle's public id, not of that cycle)."""
    if not looks_like_token(token):
        return None
    # An erased person's links (deleted while the survey was open, teams.erasure) are nobody's:
    # unknown, as a link that never was. Their invitation still counts as invited.
    invitations = Invitation.objects.filter(
        tokens__digest__in=candidate_digests(token), person__erased_at__isnull=True
    )
    if cycle_public_id is not None:
        invitations = invitations.filter(cycle__public_id=cycle_public_id)
    rows = invitations.values_list(*LINK_COLUMNS)
    # The stubs cannot see through the joins; a cycle without questions gives one row whose
    # question columns are all None.
    typed = cast(list[LinkRow], list(rows))
    if not typed:
        return None
    first = typed[0]
    # Digests are unique and a link matches one of them (the previous key's digest during a
    # rotation included), so every row is one invitation's. Ordered here, not by the query:
    # an ORDER BY through two joins cost more than sorting a handful of rows.
    questions = {
        position: Question(key=key, text=text)
        for invitation, *_, position, key, text in typed
        if invitation == first[0] and position is not None
    }
    invitation_id, answered, unit_id, cycle_id, focus_domain, state, k, k_comment, closes_at = (
        first[:9]
    )
    # Only a unit shown a focus at launch reads it (one more look-up) and is asked about it.
    focus = shown_focus_by_unit([unit_id]).get(unit_id) if focus_domain else None
    survey = Survey(
        cycle_id=cycle_id,
        k=k,
        k_comment=k_comment,
        closes_at=closes_at,
        questions=tuple(
            asked(questions[position], focus)
            for position in sorted(questions)
            if focus is not None or questions[position].key != FOLLOW_THROUGH_KEY
        ),
        focus=focus,
    )
    return LinkedInvitation(invitation_id, answered, state, unit_id, survey)


def closed_survey(cycle_public_id: str | None) -> Survey | None:
    """The survey a late link was for, when `cycle_public_id` names one that has closed: what
    the closed page says (when it closed), and no questions."""
    if not cycle_public_id:
        return None
    cycle = (
        Cycle.objects.filter(public_id=cycle_public_id, state=CycleState.CLOSED)
        .only("k", "k_comment", "closes_at", "closed_at", "results_announced_at")
        .first()
    )
    if cycle is None:
        return None
    return Survey(
        cycle_id=cycle.pk,
        k=cycle.k,
        k_comment=cycle.k_comment,
        closes_at=cycle.closes_at,
        questions=(),
        closed_at=cycle.closed_at or cycle.closes_at,
        results_shared_at=cycle.results_announced_at,
    )


def asked(question: Question, focus: SharedFocus | None) -> Question:
    """The question as the unit's people see it: the follow-through item names their focus."""
    if focus is None or question.key != FOLLOW_THROUGH_KEY:
        return question
    return Question(key=question.key, text=follow_through_text(question.text, focus))
