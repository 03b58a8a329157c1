"""Sending invitations and reminders in claimed batches, through Django's email API.

Which emails are owed is derived from the database: every invitation with a deliverable address
is owed 1 + (reminder waves due) emails, answered or not, and `emails_sent` records how many it
got. Reminders go to everyone invited, so neither the mail log nor any sending state tells who
had answered when (see "The mail log" in docs/anonymity.md).

A sender claims a batch with a conditional update (two senders never claim the same row), mints
the batch's links in one transaction that holds the cycle row against close, sends over one
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
from typing import NamedTuple

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from surveys.cycle_lock import hold_cycle_open
from surveys.emails import SurveyFacts, build_email
from surveys.follow_through import shown_focus_by_unit
from surveys.models import Cycle, CycleState, Invitation, InvitationToken
from surveys.tokens import new_token, token_digest

logger = logging.getLogger(__name__)


class TransientSendError(Exception):
    """The mail server could not take the batch now; the rest of it is tried again later."""


class PermanentRefusal(Exception):
    """The address itself will never take mail: the invitation is marked undeliverable."""


@dataclass
class BatchResult:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)


class Recipient(NamedTuple):
    invitation_id: int
    email: str
    name: str
    emails_sent: int
    reporting_unit_id: int


def owed_invitations(cycle: Cycle) -> QuerySet[Invitation]:
    # No filter on `answered`: a reminder goes to everyone invited, so the mail log does not
    # split the people who had answered from those who had not.
    return Invitation.objects.filter(
        cycle=cycle,
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
    batch = uuid.uuid4()
    while True:
        with transaction.atomic():
            # In invitation order, not the table's physical order: on PostgreSQL an answered
            # row has moved to wherever its new version was written, and batches would follow
            # who answered. SKIP LOCKED (PostgreSQL) lets concurrent senders take different
            # rows instead of queueing behind each other; elsewhere it is left out.
            candidates = free.order_by("pk").select_for_update(skip_locked=True)
            candidate_ids = list(
                candidates.values_list("pk", flat=True)[: settings.PULSE_EMAIL_BATCH_SIZE]
            )
            if not candidate_ids:
                return None
            # Re-checking "free" in the UPDATE is what makes the claim safe against a
            # concurrent sender; one that took these rows first makes this one look again.
            if free.filter(pk__in=candidate_ids).update(send_batch=batch, claimed_at=now):
                return batch


def release_batch(batch: uuid.UUID) -> None:
    Invitation.objects.filter(send_batch=batch).update(send_batch=None, claimed_at=None)


def batch_recipients(batch: uuid.UUID) -> tuple[int | None, list[Recipient]]:
    """The cycle and the recipients of a claimed batch, in invitation order."""
    rows = list(
        Invitation.objects.filter(send_batch=batch)
        .order_by("pk")
        .values_list(
            "cycle_id", "pk", "person__email", "person__name", "emails_sent", "reporting_unit_id"
        )
    )
    if not rows:
        return None, []
    return rows[0][0], [
        Recipient(pk, email, name, sent or 0, unit) for _, pk, email, name, sent, unit in rows
    ]


def mint_links(cycle_id: int, recipients: list[Recipient]) -> dict[int, str] | None:
    """A fresh token per recipient, its digest stored, or None if the cycle is not open.

    The door's lock rule: the digests commit while the cycle is held open, so either they commit
    before a close and the close wipes them, or the close came first and nothing is stored.
    Committed before any link leaves: an emailed link must always work."""
    tokens = {recipient.invitation_id: new_token() for recipient in recipients}
    with transaction.atomic():
        if not hold_cycle_open(cycle_id):
            return None
        InvitationToken.objects.bulk_create(
            InvitationToken(invitation_id=invitation_id, digest=token_digest(token))
            for invitation_id, token in tokens.items()
        )
    return tokens


def survey_facts(cycle_id: int) -> tuple[SurveyFacts, int]:
    """What the batch's emails say, and how many emails each invitation is owed by now."""
    cycle = Cycle.objects.select_related("cadence").get(pk=cycle_id)
    return SurveyFacts.of(cycle), 1 + cycle.reminder_waves_due


def send_batch(*, batch: uuid.UUID) -> BatchResult:
    """Send every email of a claimed batch over one connection."""
    result = BatchResult()
    cycle_id, recipients = batch_recipients(batch)
    if cycle_id is None:
        return result
    facts, emails_owed = survey_facts(cycle_id)
    tokens = mint_links(cycle_id, recipients)
    if tokens is None:
        release_batch(batch)
        result.skipped = len(recipients)
        return result
    focus_of_unit = shown_focus_by_unit({recipient.reporting_unit_id for recipient in recipients})
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
        for recipient in recipients:
            message = build_email(
                to=recipient.email,
                name=recipient.name,
                token=tokens[recipient.invitation_id],
                facts=facts,
                is_reminder=recipient.emails_sent >= 1,
                focus=focus_of_unit.get(recipient.reporting_unit_id),
            )
            try:
                deliver(connection, message)
            except PermanentRefusal as refusal:
                mark_failed(recipient, batch, str(refusal))
                result.failed += 1
                continue
            Invitation.objects.filter(pk=recipient.invitation_id, send_batch=batch).update(
                emails_sent=emails_owed, send_batch=None, claimed_at=None
            )
            result.sent += 1
    except TransientSendError:
        # Hand the rest back at once rather than waiting for the claim to go stale.
        release_batch(batch)
        raise
    except (OSError, smtplib.SMTPException) as error:
        release_batch(batch)
        raise TransientSendError(describe(error)) from error
    finally:
        connection.close()
    logger.info(
        "Batch of cycle %s: %s sent, %s failed, %s skipped",
        cycle_id,
        result.sent,
        result.failed,
        result.skipped,
    )
    return result


def deliver(connection: BaseEmailBackend, message: EmailMultiAlternatives) -> None:
    """Hand one email to the batch's open connection; say whether a refusal is for good."""
    provider_errors = anymail_errors(connection)
    try:
        connection.send_messages([message])
    except smtplib.SMTPRecipientsRefused as error:
        if all(code >= 500 for code, _ in error.recipients.values()):
            raise PermanentRefusal(describe(error)) from error
        raise TransientSendError(describe(error)) from error
    except smtplib.SMTPSenderRefused as error:
        raise TransientSendError(describe(error)) from error
    except smtplib.SMTPResponseException as error:
        if error.smtp_code >= 500:
            raise PermanentRefusal(describe(error)) from error
        raise TransientSendError(describe(error)) from error
    except provider_errors.refused as error:
        raise PermanentRefusal(describe(error)) from error
    except ValueError as error:
        # An address that cannot be written into a header (Django's BadHeaderError, anymail's
        # invalid address): no server will ever take it, and the batch must go on.
        raise PermanentRefusal(describe(error)) from error
    except provider_errors.transient as error:
        raise TransientSendError(describe(error)) from error


@dataclass(frozen=True)
class ProviderErrors:
    refused: tuple[type[Exception], ...] = ()
    transient: tuple[type[Exception], ...] = ()


def anymail_errors(connection: BaseEmailBackend) -> ProviderErrors:
    """anymail's exception types, imported only when anymail is the backend, so a deployment
    without a provider never loads it."""
    if not type(connection).__module__.startswith("anymail."):
        return ProviderErrors()
    from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused

    return ProviderErrors(refused=(AnymailRecipientsRefused,), transient=(AnymailAPIError,))


def mark_failed(recipient: Recipient, batch: uuid.UUID, reason: str) -> None:
    Invitation.objects.filter(pk=recipient.invitation_id, send_batch=batch).update(
        delivery_failed=True, delivery_error=reason, send_batch=None, claimed_at=None
    )


def describe(error: Exception) -> str:
    """A short reason for HR. Never includes the message, which carries the answer link."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(error.recipients.values()))
        return f"Recipient refused ({code}): {reply.decode(errors='replace')}"[:300]
    if isinstance(error, smtplib.SMTPResponseException):
        said = error.smtp_error
        text = said.decode(errors="replace") if isinstance(said, bytes) else str(said)
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
        if result.skipped:
            break  # the cycle closed under us
    return total


def cycles_owing_email() -> list[int]:
    """Open cycles with at least one owed email whose claim is free."""
    now = timezone.now()
    return [
        cycle.pk
        for cycle in Cycle.objects.filter(state=CycleState.OPEN)
        if owed_invitations(cycle).filter(claim_is_free(now)).exists()
    ]


def delete_links_of_cycles_not_open() -> int:
    """Belt and braces behind the lock rule: no link digest outlives its cycle's opening."""
    # Through the cycles that are not open, so the planner walks the few closed cycles'
    # invitations by index instead of every link of the open ones.
    not_open = Cycle.objects.exclude(state=CycleState.OPEN)
    deleted, _ = InvitationToken.objects.filter(invitation__cycle__in=not_open).delete()
    return deleted
