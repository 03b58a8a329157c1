"""The door between the planes: looking up and redeeming an answer link.

This module is the whole interface `pulse` has to a person's invitation:

- `look_up(token)` is read-only. A GET of the link shows the form and never consumes it.
- `redeem(token)` consumes the link, once, inside the caller's transaction, and returns only the
  survey and the reporting unit. Nothing about the person travels further.

A link's survey is its reporting unit's: where the unit was shown a shared focus at launch, it
carries that focus (to show above the questions) and the follow-through item naming it; every
other unit's survey leaves the item out, so answers to it are refused there.

The caller stores the sealed answers in the same transaction, so an accepted answer is never
lost and a refused one leaves no trace.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import cast

from django.db import transaction

from surveys.cycle_lock import hold_cycle_open
from surveys.follow_through import (
    SharedFocus,
    ShownCommitment,
    follow_through_text,
    shown_focus_by_unit,
)
from surveys.instrument import FOLLOW_THROUGH_KEY
from surveys.models import Cycle, CycleItem, CycleState, Invitation, InvitationToken

__all__ = [
    "LinkRefused",
    "LinkState",
    "LinkStatus",
    "Question",
    "Redemption",
    "SharedFocus",
    "ShownCommitment",
    "Survey",
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


def look_up(token: str) -> LinkState:
    found = invitation_behind(token)
    if found is None:
        return LinkState(LinkStatus.UNKNOWN)
    survey = survey_of(found.cycle_id, found.reporting_unit_id)
    if found.cycle_state != CycleState.OPEN:
        return LinkState(LinkStatus.CLOSED, survey)
    if found.answered:
        return LinkState(LinkStatus.USED, survey)
    return LinkState(LinkStatus.VALID, survey)


def redeem(token: str) -> Redemption:
    """Consume `token` exactly once; raises LinkRefused if it cannot be used.

    Must run inside the transaction that stores the answers: if that transaction rolls back
    (invalid answers, a crash), the link stays usable. The cycle is held open until commit
    (surveys.cycle_lock), so a close waits for this answer and counts it. The UPDATE repeats
    `answered = FALSE` in its own condition: that is the whole guarantee against double submits,
    because of two concurrent requests the second waits for the first's row lock, re-checks the
    condition against the committed row, and changes nothing."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("redeem() must run inside the transaction that stores the answers")
    found = invitation_behind(token)
    if (
        found is None
        or not hold_cycle_open(found.cycle_id)
        or not Invitation.objects.filter(pk=found.invitation_id, answered=False).update(
            answered=True
        )
    ):
        raise LinkRefused(look_up(token))
    return Redemption(
        survey=survey_of(found.cycle_id, found.reporting_unit_id),
        reporting_unit_id=found.reporting_unit_id,
    )


@dataclass(frozen=True)
class LinkedInvitation:
    """What the door reads of the invitation behind a link; none of it leaves this module."""

    invitation_id: int
    answered: bool | None
    cycle_id: int
    cycle_state: str
    reporting_unit_id: int


def invitation_behind(token: str) -> LinkedInvitation | None:
    """The invitation a link belongs to, or None for a link that is not ours."""
    if not looks_like_token(token):
        return None
    # A slice, not .first(): first() adds ORDER BY id, and the planner may then walk the
    # primary key instead of the digest's unique index.
    rows = InvitationToken.objects.filter(digest__in=candidate_digests(token)).values_list(
        "invitation_id",
        "invitation__answered",
        "invitation__cycle_id",
        "invitation__cycle__state",
        "invitation__reporting_unit_id",
    )[:1]
    # Through a join the stubs cannot see that every invitation has a reporting unit.
    typed = cast(Iterable[tuple[int, bool | None, int, str, int]], rows)
    return next((LinkedInvitation(*row) for row in typed), None)


def survey_of(cycle_id: int, reporting_unit_id: int) -> Survey:
    """The survey as the people of one reporting unit see it."""
    cycle = Cycle.objects.only("k", "k_comment", "closes_at").get(pk=cycle_id)
    focus = shown_focus_by_unit([reporting_unit_id]).get(reporting_unit_id)
    questions = []
    for item in CycleItem.objects.filter(cycle_id=cycle_id).order_by("position"):
        if item.key != FOLLOW_THROUGH_KEY:
            questions.append(Question(key=item.key, text=item.text))
        elif focus is not None:
            questions.append(Question(key=item.key, text=follow_through_text(item.text, focus)))
    return Survey(
        cycle_id=cycle_id,
        k=cycle.k,
        k_comment=cycle.k_comment,
        closes_at=cycle.closes_at,
        questions=tuple(questions),
        focus=focus,
    )
