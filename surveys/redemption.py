"""The door between the planes: redeeming an answer-link token.

`pulse` calls `redeem_token` inside the transaction that stores the sealed answers. It marks the
invitation answered and returns only the cycle and the reporting unit: nothing about the person
travels further.
"""

from dataclasses import dataclass
from functools import lru_cache

from django.db import connection, transaction

from surveys.models import Cycle, CycleItem, CycleState, Invitation, InvitationToken
from surveys.tokens import candidate_digests, looks_like_token


class TokenStatus:
    VALID = "valid"
    UNKNOWN = "unknown"
    USED = "used"
    CLOSED = "closed"


@dataclass(frozen=True)
class Redemption:
    cycle_id: int
    reporting_unit_id: int


@dataclass(frozen=True)
class TokenLookup:
    """What the answer page may know about a link before it is used."""

    status: str
    cycle: Cycle | None = None

    @property
    def items(self) -> list[CycleItem]:
        return items_of_cycle(self.cycle.pk) if self.cycle else []


@lru_cache(maxsize=64)
def _frozen_items(cycle_id: int) -> tuple[CycleItem, ...]:
    return tuple(CycleItem.objects.filter(cycle_id=cycle_id).order_by("position"))


def items_of_cycle(cycle_id: int) -> list[CycleItem]:
    """A launched cycle's items never change, so each process reads them once."""
    return list(_frozen_items(cycle_id))


class TokenNotRedeemable(Exception):
    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


def _invitation_for(token: str) -> Invitation | None:
    if not looks_like_token(token):
        return None
    # A slice, not .first(): first() adds ORDER BY id, and the planner may then walk the
    # primary key instead of the digest's unique index.
    found = next(
        iter(
            InvitationToken.objects.filter(digest__in=candidate_digests(token)).select_related(
                "invitation__cycle"
            )[:1]
        ),
        None,
    )
    return found.invitation if found else None


def look_up_token(token: str) -> TokenLookup:
    """Read-only: a GET of the link shows the form and never consumes the token."""
    invitation = _invitation_for(token)
    if invitation is None:
        return TokenLookup(TokenStatus.UNKNOWN)
    if invitation.cycle.state != CycleState.OPEN:
        return TokenLookup(TokenStatus.CLOSED, invitation.cycle)
    if invitation.answered:
        return TokenLookup(TokenStatus.USED, invitation.cycle)
    return TokenLookup(TokenStatus.VALID, invitation.cycle)


def redeem_token(token: str) -> Redemption:
    """Consume `token` exactly once. Must run inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("redeem_token must run inside the transaction that stores the answers")
    invitation = _invitation_for(token)
    if invitation is None:
        raise TokenNotRedeemable(TokenStatus.UNKNOWN)
    if not _cycle_is_open_and_held(invitation.cycle_id):
        raise TokenNotRedeemable(TokenStatus.CLOSED)
    # The conditional update is the whole guarantee against double submits: of two concurrent
    # requests, exactly one changes the row.
    consumed = Invitation.objects.filter(pk=invitation.pk, answered=False).update(answered=True)
    if not consumed:
        raise TokenNotRedeemable(TokenStatus.USED)
    return Redemption(cycle_id=invitation.cycle_id, reporting_unit_id=invitation.reporting_unit_id)


def _cycle_is_open_and_held(cycle_id: int) -> bool:
    """Is the cycle open? On PostgreSQL, also hold it open (FOR SHARE) until we commit, so a
    concurrent close waits for this answer instead of wiping around it. SQLite transactions
    here take the write lock at BEGIN, which serialises them with close already."""
    if connection.vendor == "postgresql":
        # The only interpolation is the model's own table name; the id is a bound parameter.
        query = f"SELECT state FROM {Cycle._meta.db_table} WHERE id = %s FOR SHARE"  # noqa: S608  # nosec B608
        with connection.cursor() as cursor:
            cursor.execute(query, [cycle_id])
            row = cursor.fetchone()
        return bool(row) and row[0] == CycleState.OPEN
    return Cycle.objects.filter(pk=cycle_id, state=CycleState.OPEN).exists()
