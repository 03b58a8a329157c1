"""The door between the planes: redeeming an answer-link token.

`pulse` calls `redeem_token` inside the transaction that stores the sealed answers. It marks the
invitation answered and returns only the cycle and the reporting unit: nothing about the person
travels further.
"""

import weakref
from dataclasses import dataclass
from functools import lru_cache

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper

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
    """Consume `token` exactly once. Must run inside the caller's transaction.

    One statement finds the link, checks that its cycle is open, and marks the invitation
    answered: this is the hot path of every answer, so it makes one round trip, and only a
    refused link pays for a second look to say why."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("redeem_token must run inside the transaction that stores the answers")
    if looks_like_token(token):
        digests = candidate_digests(token)
        with connection.cursor() as cursor:
            cursor.execute(_redemption(cursor, len(digests)), [*digests, CycleState.OPEN])
            row = cursor.fetchone()
        if row:
            return Redemption(cycle_id=row[0], reporting_unit_id=row[1])
    raise TokenNotRedeemable(look_up_token(token).status)


# PostgreSQL connections on which the redemption statement is prepared, with its names there.
_prepared: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _redemption(cursor: CursorWrapper, digest_count: int) -> str:
    """The redemption statement to execute; on PostgreSQL, a prepared one.

    Planning its three-table join took longer than running it, so each PostgreSQL connection
    prepares it once (prepared statements belong to the session, and outlive transactions and
    rollbacks) and then only executes it. SQLite runs the statement as it is."""
    statement = _redeem_statement(connection.vendor, digest_count)
    if connection.vendor != "postgresql":
        return statement
    name = f"pulse_redeem_{digest_count}"
    parameters = [f"${number}" for number in range(1, digest_count + 2)]
    names = _prepared.setdefault(connection.connection, set())
    if name not in names:
        cursor.execute(f"PREPARE {name} AS {statement % tuple(parameters)}")
        names.add(name)
    return f"EXECUTE {name}({', '.join(['%s'] * len(parameters))})"


@lru_cache(maxsize=4)
def _redeem_statement(vendor: str, digest_count: int) -> str:
    """UPDATE ... RETURNING the cycle and unit of an open, unanswered invitation.

    `answered = FALSE` in the UPDATE's own condition is the whole guarantee against double
    submits: of two concurrent requests, the second waits for the first's row lock, re-checks
    the condition against the committed row and changes nothing. On PostgreSQL the cycle row is
    also held FOR SHARE until commit, so a concurrent close (SELECT ... FOR UPDATE) waits for
    this answer instead of wiping around it; SQLite transactions here take the write lock at
    BEGIN, which serialises them with close already."""
    invitation = Invitation._meta.db_table
    hold_cycle = "FOR SHARE OF c" if vendor == "postgresql" else ""
    placeholders = ", ".join(["%s"] * digest_count)
    # Only the models' own table names are interpolated; everything else is a bound parameter.
    return f"""
        WITH held AS (
            SELECT i.id
            FROM {InvitationToken._meta.db_table} t
            JOIN {invitation} i ON i.id = t.invitation_id
            JOIN {Cycle._meta.db_table} c ON c.id = i.cycle_id
            WHERE t.digest IN ({placeholders}) AND c.state = %s
            {hold_cycle}
        )
        UPDATE {invitation} SET answered = TRUE
        FROM held
        WHERE {invitation}.id = held.id AND {invitation}.answered = FALSE
        RETURNING {invitation}.cycle_id, {invitation}.reporting_unit_id
    """  # noqa: S608  # nosec B608
