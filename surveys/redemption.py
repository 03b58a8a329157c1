"""The door between the planes: redeeming an answer-link token.

`pulse` calls `redeem_token` inside the transaction that stores the sealed answers. It marks the
invitation answered and returns only the cycle and the reporting unit: nothing about the person
travels further. On PostgreSQL, `pulse` usually runs the same redemption as clauses of its own
INSERT (`redemption_clauses`), so one statement is the whole door; the clauses yield the same
cycle and reporting unit and nothing more.
"""

import time
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
    """Consume `token` exactly once. Must run inside the caller's transaction.

    One statement finds the link, checks that its cycle is open, and marks the invitation
    answered; only a refused link pays for a second look to say why."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("redeem_token must run inside the transaction that stores the answers")
    if looks_like_token(token):
        digests = candidate_digests(token)
        with connection.cursor() as cursor:
            cursor.execute(_redeem_statement(connection.vendor, len(digests)), [*digests, OPEN])
            row = cursor.fetchone()
        if row:
            return Redemption(cycle_id=row[0], reporting_unit_id=row[1])
    raise TokenNotRedeemable(look_up_token(token).status)


# Only the models' own table names are interpolated into the statements below; the digests,
# the state and the cycle ids are bound parameters.
INVITATION = Invitation._meta.db_table
MARK_ANSWERED = (
    f"UPDATE {INVITATION} SET answered = TRUE FROM held "  # noqa: S608  # nosec B608
    f"WHERE {INVITATION}.id = held.id AND {INVITATION}.answered = FALSE "
    f"RETURNING {INVITATION}.cycle_id, {INVITATION}.reporting_unit_id"
)
OPEN = CycleState.OPEN.value


def _held(vendor: str, digest_count: int, cycle_condition: str = "") -> str:
    """`held`: the invitation behind the link, if its cycle is open.

    On PostgreSQL the cycle row is held FOR SHARE until commit, so a concurrent close (SELECT
    ... FOR UPDATE) waits for this answer instead of wiping around it; SQLite transactions here
    take the write lock at BEGIN, which serialises them with close already. The UPDATE that
    follows repeats `answered = FALSE` in its own condition: that is the whole guarantee against
    double submits, because of two concurrent requests the second waits for the first's row
    lock, re-checks the condition against the committed row, and changes nothing."""
    placeholders = ", ".join(["%s"] * digest_count)
    return f"""held AS (
        SELECT i.id
        FROM {InvitationToken._meta.db_table} t
        JOIN {INVITATION} i ON i.id = t.invitation_id
        JOIN {Cycle._meta.db_table} c ON c.id = i.cycle_id
        WHERE t.digest IN ({placeholders}) AND c.state = %s {cycle_condition}
        {"FOR SHARE OF c" if vendor == "postgresql" else ""}
    )"""  # noqa: S608  # nosec B608


@lru_cache(maxsize=4)
def _redeem_statement(vendor: str, digest_count: int) -> str:
    """Parameters: the digests, the open state. Returns the cycle and the reporting unit."""
    return f"WITH {_held(vendor, digest_count)} {MARK_ANSWERED}"


@lru_cache(maxsize=4)
def redemption_clauses(digest_count: int) -> str:
    """The redemption as PostgreSQL common table expressions, for a caller that stores what it
    guards in the same statement, so that the one statement is the whole transaction.

    Defines `redeemed (cycle_id, reporting_unit_id)`: one row if the link was consumed, none
    otherwise. Parameters, in order: the digests (see `redemption_parameters`), the open state,
    and an array of the cycles the link may belong to (a link of any other cycle is left
    alone). PostgreSQL only: SQLite has no UPDATE inside WITH."""
    held = _held("postgresql", digest_count, "AND c.id = ANY(%s)")
    return f"{held}, redeemed AS ({MARK_ANSWERED})"


def redemption_parameters(token: str, cycle_ids: list[int]) -> list | None:
    """The parameters of `redemption_clauses`, or None if `token` cannot be one of ours."""
    if not looks_like_token(token):
        return None
    return [*candidate_digests(token), OPEN, cycle_ids]


OPEN_CYCLES_TTL_SECONDS = 10
_open_cycles: tuple[float, tuple[int, ...]] = (0.0, ())


def recently_open_cycle_ids() -> tuple[int, ...]:
    """The open cycles as this process saw them at most OPEN_CYCLES_TTL_SECONDS ago.

    A hint, never a decision: whatever it says, the redemption checks the cycle's state itself.
    A stale hint costs a caller its fast path, not correctness."""
    global _open_cycles
    read_at, cycle_ids = _open_cycles
    if time.monotonic() - read_at > OPEN_CYCLES_TTL_SECONDS:
        cycle_ids = tuple(Cycle.objects.filter(state=CycleState.OPEN).values_list("pk", flat=True))
        _open_cycles = (time.monotonic(), cycle_ids)
    return cycle_ids


def forget_open_cycles() -> None:
    """Drop the hint (tests reuse cycle ids across databases)."""
    global _open_cycles
    _open_cycles = (0.0, ())
