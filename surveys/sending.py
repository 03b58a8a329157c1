"""Sending invitations and reminders in claimed batches.

Which emails are owed is derived from the database: an invitation that has not been answered is
owed 1 + (reminder waves due) emails, and `emails_sent` records how many it got. A sender claims a
batch with a conditional update (two senders never claim the same row), sends it over one
connection, and records each email as sent right after it leaves, so a sender killed mid-batch
repeats at most the one email in flight. Rows of a dead sender are claimed again once their
claim is older than PULSE_SEND_CLAIM_SECONDS.

A fresh token is made for every email and only its digest is stored: the token lives in memory
for the duration of the batch and nowhere else (not in a task argument, not in a log line).
"""

import logging
import smtplib
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
from django.conf import settings
from django.core.mail import get_connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from surveys.emails import SurveyFacts, build_email
from surveys.models import Cycle, CycleState, Invitation, InvitationToken
from surveys.tokens import new_token, token_digest

logger = logging.getLogger(__name__)


class TransientSendError(Exception):
    """The mail server could not take the batch now; the rest of it is tried again later."""


@dataclass
class BatchResult:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)


def owed_invitations(cycle: Cycle) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        cycle=cycle,
        answered=False,
        delivery_failed=False,
        emails_sent__lt=1 + cycle.reminder_waves_due,
    )


def claim_is_free(now: datetime) -> Q:
    stale_before = now - timedelta(seconds=settings.PULSE_SEND_CLAIM_SECONDS)
    return Q(send_batch__isnull=True) | Q(claimed_at__lt=stale_before)


def claim_batch(*, cycle_id: int, now: datetime | None = None) -> uuid.UUID | None:
    """Claim up to PULSE_EMAIL_BATCH_SIZE owed invitations of an open cycle."""
    now = now or timezone.now()
    cycle = Cycle.objects.filter(pk=cycle_id, state=CycleState.OPEN).first()
    if cycle is None:
        return None
    free = owed_invitations(cycle).filter(claim_is_free(now))
    candidate_ids = list(free.values_list("pk", flat=True)[: settings.PULSE_EMAIL_BATCH_SIZE])
    if not candidate_ids:
        return None
    batch = uuid.uuid4()
    # Re-checking "free" in the UPDATE is what makes the claim safe against a concurrent sender.
    claimed = free.filter(pk__in=candidate_ids).update(send_batch=batch, claimed_at=now)
    return batch if claimed else None


def send_batch(*, batch: uuid.UUID) -> BatchResult:
    """Send every email of a claimed batch over one connection."""
    result = BatchResult()
    invitations = list(
        Invitation.objects.filter(send_batch=batch).select_related("person", "cycle__cadence")
    )
    if not invitations:
        return result
    cycle = invitations[0].cycle
    if cycle.state != CycleState.OPEN:
        Invitation.objects.filter(send_batch=batch).update(send_batch=None, claimed_at=None)
        result.skipped = len(invitations)
        return result
    facts = SurveyFacts(
        question_count=cycle.items.count() + 1,
        closes_at=cycle.closes_at,
        time_zone=cycle.cadence.time_zone,
        k=cycle.k,
    )
    target = 1 + cycle.reminder_waves_due
    tokens = {invitation.pk: new_token() for invitation in invitations}
    InvitationToken.objects.bulk_create(
        InvitationToken(invitation_id=pk, digest=token_digest(token))
        for pk, token in tokens.items()
    )
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
        for invitation in invitations:
            send_one(invitation, tokens[invitation.pk], facts, target, batch, connection, result)
    except (TransientSendError, OSError, smtplib.SMTPException) as error:
        # Hand the rest back at once rather than waiting for the claim to go stale.
        Invitation.objects.filter(send_batch=batch).update(send_batch=None, claimed_at=None)
        if isinstance(error, TransientSendError):
            raise
        raise TransientSendError(describe(error)) from error
    finally:
        connection.close()
    logger.info(
        "Batch of cycle %s: %s sent, %s failed, %s skipped",
        cycle.pk,
        result.sent,
        result.failed,
        result.skipped,
    )
    return result


def send_one(
    invitation: Invitation,
    token: str,
    facts: SurveyFacts,
    target: int,
    batch: uuid.UUID,
    connection: object,
    result: BatchResult,
) -> None:
    mine = Invitation.objects.filter(pk=invitation.pk, send_batch=batch)
    message = build_email(
        to=invitation.person.email,
        name=invitation.person.name,
        token=token,
        facts=facts,
        is_reminder=(invitation.emails_sent or 0) >= 1,
    )
    message.connection = connection
    try:
        message.send()
    except (AnymailRecipientsRefused, smtplib.SMTPRecipientsRefused) as error:
        if is_permanent(error):
            mine.update(
                delivery_failed=True,
                delivery_error=describe(error),
                send_batch=None,
                claimed_at=None,
            )
            result.failed += 1
            return
        raise TransientSendError(describe(error)) from error
    except smtplib.SMTPResponseException as error:
        if error.smtp_code >= 500 and not isinstance(error, smtplib.SMTPSenderRefused):
            mine.update(
                delivery_failed=True,
                delivery_error=describe(error),
                send_batch=None,
                claimed_at=None,
            )
            result.failed += 1
            return
        raise TransientSendError(describe(error)) from error
    except (OSError, smtplib.SMTPException, AnymailAPIError) as error:
        raise TransientSendError(describe(error)) from error
    # Only the answered flag can have changed meanwhile; it does not matter: the email left.
    mine.update(emails_sent=target, send_batch=None, claimed_at=None)
    result.sent += 1


def is_permanent(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return True  # anymail's refusal: the provider rejected the address itself


def describe(error: Exception) -> str:
    """A short reason for HR. Never includes the message, which carries the answer link."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(error.recipients.values()))
        return f"Recipient refused ({code}): {reply.decode(errors='replace')}"[:300]
    if isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error
        text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
        return f"Mail server said {error.smtp_code}: {text}"[:300]
    return f"{type(error).__name__}: {error}"[:300]


def send_owed(*, cycle_id: int, time_budget_seconds: float | None = None) -> BatchResult:
    """Claim and send batches of one cycle until nothing is owed or the budget is spent."""
    total = BatchResult()
    started = time.monotonic()
    while time_budget_seconds is None or time.monotonic() - started < time_budget_seconds:
        batch = claim_batch(cycle_id=cycle_id)
        if batch is None:
            break
        result = send_batch(batch=batch)
        total.sent += result.sent
        total.failed += result.failed
        total.skipped += result.skipped
    return total


def cycles_owing_email() -> list[int]:
    """Open cycles with at least one owed email whose claim is free."""
    now = timezone.now()
    return [
        cycle.pk
        for cycle in Cycle.objects.filter(state=CycleState.OPEN)
        if owed_invitations(cycle).filter(claim_is_free(now)).exists()
    ]
