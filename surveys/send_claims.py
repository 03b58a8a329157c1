"""Claims on invitations being sent: which sender holds which rows, and for how long.

A sender claims a batch of owed invitations with a conditional update (`send_batch` set to the
batch's id, `claimed_at` to now). Concurrent senders take disjoint batches: on PostgreSQL the
candidate rows are read FOR UPDATE SKIP LOCKED, so a second sender takes the next rows instead
of queueing behind the first; on SQLite every write transaction takes the lock at BEGIN, so
claims simply follow one another.

A claim is a lease. While it sends, the sender renews `claimed_at` on the rows it still holds,
so a slow but live sender keeps them however long its mail server takes; the rows of a sender
that died are free again once their claim is older than PULSE_SEND_CLAIM_SECONDS. Every write a
sender makes to its rows is conditional on `send_batch` still being its batch: a renewal that
touches fewer rows than it holds, or a "sent" mark that touches none, means another sender has
taken them, and the sender stops at once and hands nothing else out.

Why one email is never sent twice by two live senders: another sender can take a row only after
its claim has gone PULSE_SEND_CLAIM_SECONDS without renewal. The holder renews at least every
tenth of that before it starts an email, and one email is bounded by the mail server's timeout
(settings require PULSE_SEND_CLAIM_SECONDS >= 5 x EMAIL_TIMEOUT), so the holder has always
recorded the email, or stopped, before its rows can look free to anyone else. A batch also stops
handing out emails after half the claim timeout (or at its sender's time budget) and gives the
rest back, so no batch lives anywhere near the point where its claim could lapse.
"""

import random
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from surveys.models import Cycle, CycleState, Invitation

# A sender whose candidates were all being claimed by another at that instant looks again this
# many times, a moment apart, before it concludes there is nothing left for it.
CLAIM_ATTEMPTS = 5
CLAIM_RETRY_SECONDS = 0.05


def owed_invitations(cycle: Cycle) -> QuerySet[Invitation]:
    # No filter on `answered`: a reminder goes to everyone invited, so the mail log does not
    # split the people who had answered from those who had not. An erased person (deleted
    # while invited, teams.erasure) has no address any more, answered or not.
    return Invitation.objects.filter(
        cycle=cycle,
        delivery_failed=False,
        emails_sent__lt=1 + cycle.reminder_waves_due,
        person__erased_at__isnull=True,
    )


def claim_is_free(now: datetime) -> Q:
    stale_before = now - timedelta(seconds=settings.PULSE_SEND_CLAIM_SECONDS)
    return Q(send_batch__isnull=True) | Q(claimed_at__lt=stale_before)


def claim_batch(*, cycle_id: int) -> uuid.UUID | None:
    """Claim up to PULSE_EMAIL_BATCH_SIZE owed invitations of an open cycle, or None when every
    owed invitation is held by a live sender."""
    cycle = Cycle.objects.filter(pk=cycle_id, state=CycleState.OPEN).first()
    if cycle is None:
        return None
    batch = uuid.uuid4()
    for attempt in range(CLAIM_ATTEMPTS):
        now = timezone.now()
        free = owed_invitations(cycle).filter(claim_is_free(now))
        with transaction.atomic():
            # In invitation order, not the table's physical order: on PostgreSQL an answered
            # row has moved to wherever its new version was written, and batches would follow
            # who answered. Rows another sender is claiming right now are skipped, not waited
            # for (SKIP LOCKED is left out where the database has no row locks).
            candidates = free.order_by("pk").select_for_update(skip_locked=True)
            candidate_ids = list(
                candidates.values_list("pk", flat=True)[: settings.PULSE_EMAIL_BATCH_SIZE]
            )
            # Re-checking "free" in the UPDATE is what makes the claim safe whatever the
            # database's locking: a row another sender took first is simply not updated.
            if candidate_ids and free.filter(pk__in=candidate_ids).update(
                send_batch=batch, claimed_at=now
            ):
                return batch
        # Nothing taken. Either nothing is free, or every free row was locked by someone else's
        # claim (or an answer) at that instant: look again once their transactions are over.
        if not free.exists():
            return None
        time.sleep(CLAIM_RETRY_SECONDS * (attempt + 1) * random.uniform(0.5, 1.5))
    return None


def release_batch(batch: uuid.UUID) -> int:
    """Hand back the rows a batch still holds, for the next sender to claim at once."""
    return Invitation.objects.filter(send_batch=batch).update(send_batch=None, claimed_at=None)


def cycles_owing_email() -> list[int]:
    """Open cycles with at least one owed email whose claim is free."""
    now = timezone.now()
    return [
        cycle.pk
        for cycle in Cycle.objects.filter(state=CycleState.OPEN)
        if owed_invitations(cycle).filter(claim_is_free(now)).exists()
    ]


def renewal_interval_seconds() -> float:
    return settings.PULSE_SEND_CLAIM_SECONDS / 10


def batch_time_cap_seconds() -> float:
    return settings.PULSE_SEND_CLAIM_SECONDS / 2


@dataclass
class Lease:
    """A sender's hold on the rows of its batch while it sends them."""

    batch: uuid.UUID
    held: int
    renewed_at: float
    stop_at: float
    lost_because: str = ""

    @classmethod
    def take(cls, *, batch: uuid.UUID, held: int, deadline: float | None) -> "Lease":
        """Start holding a claimed batch; `deadline` (time.monotonic) is the sender's own."""
        started = time.monotonic()
        stop_at = started + batch_time_cap_seconds()
        lease = cls(batch, held, renewed_at=started, stop_at=min(stop_at, deadline or stop_at))
        lease.renew()
        return lease

    def renew(self) -> bool:
        # The clock is read before the UPDATE, as the value it writes: if the statement waits
        # for a lock, the claim counts from when it was dated, not from when it committed.
        self.renewed_at = time.monotonic()
        renewed = Invitation.objects.filter(send_batch=self.batch).update(claimed_at=timezone.now())
        if renewed != self.held:
            self.lose(f"{self.held - renewed} of its {self.held} rows were taken from it")
        return not self.lost

    def may_send_another(self) -> bool:
        """Whether the next email may start: the batch's time is not up and its claim holds,
        renewed first if a renewal is due."""
        if self.lost:
            return False
        now = time.monotonic()
        if now >= self.stop_at:
            return False
        if now - self.renewed_at >= renewal_interval_seconds():
            return self.renew()
        return True

    def record_sent(self, *, invitation_id: int, emails_owed: int) -> bool:
        """Mark an email that left as sent and the row as no longer held; False if the claim
        was lost meanwhile (the email is recorded even so: it did leave)."""
        if Invitation.objects.filter(pk=invitation_id, send_batch=self.batch).update(
            emails_sent=emails_owed, send_batch=None, claimed_at=None
        ):
            self.held -= 1
            return True
        # Another sender holds the row now. Say that the email left, so that if that sender
        # has not reached this person yet and stops or dies, nobody sends it again; its claim
        # on the row is left alone.
        Invitation.objects.filter(pk=invitation_id, emails_sent__lt=emails_owed).update(
            emails_sent=emails_owed
        )
        self.lose("an email left after its row was taken from it")
        return False

    def record_refusal(self, *, invitation_id: int, reason: str) -> bool:
        """Mark an address the server refused for good; False if the claim was lost."""
        if Invitation.objects.filter(pk=invitation_id, send_batch=self.batch).update(
            delivery_failed=True, delivery_error=reason, send_batch=None, claimed_at=None
        ):
            self.held -= 1
            return True
        Invitation.objects.filter(pk=invitation_id).update(
            delivery_failed=True, delivery_error=reason
        )
        self.lose("a refusal came back after its row was taken from it")
        return False

    def hand_back(self) -> int:
        """Give back the rows still held (only those: a row taken by another sender stays
        its), so the next sender need not wait for them to go stale."""
        handed_back = release_batch(self.batch)
        self.held = 0
        return handed_back

    @property
    def lost(self) -> bool:
        return bool(self.lost_because)

    def lose(self, why: str) -> None:
        # Taken by another sender after this one went a whole claim timeout without renewing,
        # or the cycle closed (closing rewrites its invitations, claims and all).
        self.lost_because = why
