"""The door between the planes: looking up and redeeming an answer link.

This module is the whole interface `pulse` has to a person's invitation:

- `look_up(token)` is read-only. A GET of the link shows the form and never consumes it.
- `redeem(token)` consumes the link, once, inside the caller's transaction, and returns only the
  survey and the reporting unit. Nothing about the person travels further.

The caller stores the sealed answers in the same transaction, so an accepted answer is never
lost and a refused one leaves no trace.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.db import connection, transaction

from surveys.models import Cycle, CycleItem, CycleState, Invitation, InvitationToken
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
    def __init__(self, status: LinkStatus) -> None:
        super().__init__(status.value)
        self.status = status


def look_up(token: str) -> LinkState:
    if not looks_like_token(token):
        return LinkState(LinkStatus.UNKNOWN)
    # A slice, not .first(): first() adds ORDER BY id, and the planner may then walk the
    # primary key instead of the digest's unique index.
    found = next(
        iter(
            InvitationToken.objects.filter(digest__in=candidate_digests(token)).values(
                "invitation__answered", "invitation__cycle_id", "invitation__cycle__state"
            )[:1]
        ),
        None,
    )
    if found is None:
        return LinkState(LinkStatus.UNKNOWN)
    survey = survey_of(found["invitation__cycle_id"])
    if found["invitation__cycle__state"] != CycleState.OPEN:
        return LinkState(LinkStatus.CLOSED, survey)
    if found["invitation__answered"]:
        return LinkState(LinkStatus.USED, survey)
    return LinkState(LinkStatus.VALID, survey)


def redeem(token: str) -> Redemption:
    """Consume `token` exactly once; raises LinkRefused if it cannot be used.

    Must run inside the transaction that stores the answers: if that transaction rolls back
    (invalid answers, a crash), the link stays usable."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("redeem() must run inside the transaction that stores the answers")
    row = None
    if looks_like_token(token):
        digests = candidate_digests(token)
        with connection.cursor() as cursor:
            cursor.execute(redeem_statement(len(digests)), [*digests, CycleState.OPEN.value])
            row = cursor.fetchone()
    if row is None:
        raise LinkRefused(look_up(token).status)
    cycle_id, reporting_unit_id = row
    return Redemption(survey=survey_of(cycle_id), reporting_unit_id=reporting_unit_id)


def survey_of(cycle_id: int) -> Survey:
    cycle = Cycle.objects.only("k", "k_comment", "closes_at").get(pk=cycle_id)
    questions = CycleItem.objects.filter(cycle_id=cycle_id).order_by("position")
    return Survey(
        cycle_id=cycle_id,
        k=cycle.k,
        k_comment=cycle.k_comment,
        closes_at=cycle.closes_at,
        questions=tuple(Question(key=item.key, text=item.text) for item in questions),
    )


def redeem_statement(digest_count: int) -> str:
    """Find the link's invitation if its cycle is open, and mark it answered, in one statement.

    This is raw SQL because of one lock the ORM cannot take: on PostgreSQL the cycle row is held
    FOR SHARE until commit, so a concurrent close (SELECT ... FOR UPDATE) waits for this answer
    instead of wiping around it. SQLite transactions here take the write lock at BEGIN, which
    serialises them with close already. The UPDATE repeats `answered = FALSE` in its own
    condition: that is the whole guarantee against double submits, because of two concurrent
    requests the second waits for the first's row lock, re-checks the condition against the
    committed row, and changes nothing.

    Parameters: the digests, then the open state. Only the models' own table names are
    interpolated."""
    invitation = Invitation._meta.db_table
    placeholders = ", ".join(["%s"] * digest_count)
    share_lock = "FOR SHARE OF c" if connection.vendor == "postgresql" else ""
    return (
        f"WITH held AS ("  # noqa: S608
        f" SELECT i.id FROM {InvitationToken._meta.db_table} t"
        f" JOIN {invitation} i ON i.id = t.invitation_id"
        f" JOIN {Cycle._meta.db_table} c ON c.id = i.cycle_id"
        f" WHERE t.digest IN ({placeholders}) AND c.state = %s {share_lock})"
        f" UPDATE {invitation} SET answered = TRUE FROM held"
        f" WHERE {invitation}.id = held.id AND {invitation}.answered = FALSE"
        f" RETURNING {invitation}.cycle_id, {invitation}.reporting_unit_id"
    )
