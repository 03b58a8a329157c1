"""Sending invitations and reminders in claimed batches, through Django's email API.

Which emails are owed is derived from the database: every invitation with a deliverable address
is owed 1 + (reminder waves due) emails, answered or not, and `emails_sent` records how many it
got. Reminders go to everyone invited, so neither the mail log nor any sending state tells who
had answered when (see "The mail log" in docs/anonymity.md).

A sender claims a batch (surveys.send_claims: concurrent senders take disjoint batches), mints
the batch's links in one transaction that holds the cycle row against close, sends over one
connection, and records each email as sent right after it leaves, so a sender killed mid-batch
repeats at most the one email in flight. While it sends it renews its claim, so a slow mail
server never makes a live sender's rows look dead; it stops the moment a write to its rows
finds them taken (by another sender, or rewritten by a close, which also wiped the batch's
links), and it gives back what it has not sent when its time is up. Rows of a dead
sender are claimed again once their claim is older than PULSE_SEND_CLAIM_SECONDS.

A fresh token is made for every email and only its digest is stored: the token lives in memory
for the duration of the batch and nowhere else (not in a task argument, not in a log line).
"""

import logging
import smtplib
import time
import uuid
from dataclasses import dataclass, field
from typing import NamedTuple

from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction

from surveys.cycle_lock import hold_cycle_open
from surveys.emails import SurveyFacts, build_email
from surveys.follow_through import shown_focus_by_unit
from surveys.models import Cycle, CycleState, Invitation, InvitationToken
from surveys.send_claims import Lease, claim_batch, release_batch
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
    # Claimed rows not sent and given back: the sender's time was up, or its claim was lost.
    handed_back: int = 0
    claim_lost: bool = False
    errors: list[str] = field(default_factory=list)

    def add(self, other: "BatchResult") -> None:
        self.sent += other.sent
        self.failed += other.failed
        self.skipped += other.skipped
        self.handed_back += other.handed_back
        self.claim_lost = self.claim_lost or other.claim_lost


class Recipient(NamedTuple):
    invitation_id: int
    email: str
    name: str
    emails_sent: int
    reporting_unit_id: int


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


def send_batch(*, batch: uuid.UUID, deadline: float | None = None) -> BatchResult:
    """Send the emails of a claimed batch over one connection while its claim holds.

    No email starts after `deadline` (time.monotonic, the sender's own) or after the batch's
    time cap; what is left then is given back for the next sender."""
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
    lease = Lease.take(batch=batch, held=len(recipients), deadline=deadline)
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
        for recipient in recipients:
            if not lease.may_send_another():
                break
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
                result.failed += 1
                if not lease.record_refusal(
                    invitation_id=recipient.invitation_id, reason=str(refusal)
                ):
                    break
                continue
            result.sent += 1
            if not lease.record_sent(
                invitation_id=recipient.invitation_id, emails_owed=emails_owed
            ):
                break
    except TransientSendError:
        # Hand the rest back at once rather than waiting for the claim to go stale.
        lease.hand_back()
        raise
    except (OSError, smtplib.SMTPException) as error:
        lease.hand_back()
        raise TransientSendError(describe(error)) from error
    finally:
        connection.close()
    result.handed_back = lease.hand_back()
    result.claim_lost = lease.lost
    if lease.lost:
        logger.warning(
            "Batch of cycle %s stopped after %s emails: %s",
            cycle_id,
            result.sent,
            lease.lost_because,
        )
    logger.info(
        "Batch of cycle %s: %s sent, %s failed, %s skipped, %s handed back",
        cycle_id,
        result.sent,
        result.failed,
        result.skipped,
        result.handed_back,
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
    """Claim and send batches of one cycle until nothing is owed or the budget is spent. No
    email starts after the budget: a batch still going then gives back its unsent rows."""
    total = BatchResult()
    deadline = None if time_budget_seconds is None else time.monotonic() + time_budget_seconds
    while deadline is None or time.monotonic() < deadline:
        batch = claim_batch(cycle_id=cycle_id)
        if batch is None:
            break
        result = send_batch(batch=batch, deadline=deadline)
        total.add(result)
        if result.skipped:
            break  # the cycle closed under us
        if result.claim_lost:
            # Another sender took over (this one went a claim timeout without a word) or the
            # cycle closed: leave the rest to the senders of the next pass.
            break
    return total


def delete_links_of_cycles_not_open() -> int:
    """Belt and braces behind the lock rule: no link digest outlives its cycle's opening."""
    # Through the cycles that are not open, so the planner walks the few closed cycles'
    # invitations by index instead of every link of the open ones.
    not_open = Cycle.objects.exclude(state=CycleState.OPEN)
    deleted, _ = InvitationToken.objects.filter(invitation__cycle__in=not_open).delete()
    return deleted
