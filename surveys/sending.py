"""Sending invitations and reminders in claimed batches.

Which emails are owed is derived from the database: an invitation that has not been answered is
owed 1 + (reminder waves due) emails, and `emails_sent` records how many it got. A sender claims a
batch with a conditional update (two senders never claim the same row), sends it over one
connection, and records each email as sent right after it leaves, so a sender killed mid-batch
repeats at most the one email in flight. Rows of a dead sender are claimed again once their
claim is older than PULSE_SEND_CLAIM_SECONDS.

A fresh token is made for every email and only its digest is stored: the token lives in memory
for the duration of the batch and nowhere else (not in a task argument, not in a log line).

Per email, the hot path is kept to the mail server's exchange and one small UPDATE: the emails
of a batch are rendered once per variant (`surveys.email_batch`), and the "sent" marks commit
without waiting for the disk (see `commits_without_waiting_for_disk`).
"""

import logging
import secrets
import smtplib
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SMTPEmailBackend
from django.db import DatabaseError
from django.db import connection as database
from django.db.models import Q, QuerySet
from django.utils import timezone

from surveys.email_batch import BatchEmails, PreparedEmail
from surveys.emails import SurveyFacts
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
    # Plain values, not model instances: building an Invitation, Person, Cycle and Cadence for
    # every row cost more than a tenth of sending the email on PostgreSQL.
    rows = list(
        Invitation.objects.filter(send_batch=batch).values_list(
            "cycle_id", "pk", "person__email", "person__name", "emails_sent"
        )
    )
    if not rows:
        return result
    invitations = [Recipient(*row[1:]) for row in rows]
    cycle = Cycle.objects.select_related("cadence").get(pk=rows[0][0])
    if cycle.state != CycleState.OPEN:
        Invitation.objects.filter(send_batch=batch).update(send_batch=None, claimed_at=None)
        result.skipped = len(invitations)
        return result
    emails = BatchEmails(
        SurveyFacts(
            question_count=cycle.items.count() + 1,
            closes_at=cycle.closes_at,
            time_zone=cycle.cadence.time_zone,
            k=cycle.k,
        )
    )
    mark_sent = SentMarker(batch=batch, emails_sent=1 + cycle.reminder_waves_due)
    tokens = {invitation.pk: new_token() for invitation in invitations}
    # Committed durably, before any link leaves: an emailed link must always work.
    InvitationToken.objects.bulk_create(
        InvitationToken(invitation_id=pk, digest=token_digest(token))
        for pk, token in tokens.items()
    )
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
        deliver = Deliverer(connection, emails.envelope_from)
        with commits_without_waiting_for_disk(), mark_sent:
            for invitation in invitations:
                send_one(
                    invitation, tokens[invitation.pk], emails, deliver, mark_sent, batch, result
                )
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


class Recipient(NamedTuple):
    pk: int
    email: str
    name: str
    emails_sent: int | None


def send_one(
    invitation: Recipient,
    token: str,
    emails: BatchEmails,
    deliver: "Deliverer",
    mark_sent: "SentMarker",
    batch: uuid.UUID,
    result: BatchResult,
) -> None:
    email = emails.prepare(
        to=invitation.email,
        name=invitation.name,
        token=token,
        is_reminder=(invitation.emails_sent or 0) >= 1,
    )
    try:
        deliver(email)
    except (AnymailRecipientsRefused, smtplib.SMTPRecipientsRefused) as error:
        if is_permanent(error):
            mark_failed(invitation, batch, error)
            result.failed += 1
            return
        raise TransientSendError(describe(error)) from error
    except smtplib.SMTPResponseException as error:
        if error.smtp_code >= 500 and not isinstance(error, smtplib.SMTPSenderRefused):
            mark_failed(invitation, batch, error)
            result.failed += 1
            return
        raise TransientSendError(describe(error)) from error
    except (OSError, smtplib.SMTPException, AnymailAPIError) as error:
        raise TransientSendError(describe(error)) from error
    mark_sent(invitation.pk)
    result.sent += 1


def mark_failed(invitation: Recipient, batch: uuid.UUID, error: Exception) -> None:
    Invitation.objects.filter(pk=invitation.pk, send_batch=batch).update(
        delivery_failed=True, delivery_error=describe(error), send_batch=None, claimed_at=None
    )


class Deliverer:
    """Hands one prepared email to the batch's mail connection.

    With Django's own SMTP backend (exactly that class: a subclass may sign or rewrite
    messages), an email prepared on the wire goes straight over the backend's open SMTP
    connection, as the backend itself would send it but without serialising it again. Any other
    backend, or an email without wire bytes, gets an EmailMultiAlternatives as usual.
    """

    def __init__(self, connection: BaseEmailBackend, envelope_from: str) -> None:
        self.connection = connection
        self.envelope_from = envelope_from
        self.smtp = connection.connection if type(connection) is SMTPEmailBackend else None

    def __call__(self, email: PreparedEmail) -> None:
        if self.smtp is not None and email.wire is not None:
            self.smtp.sendmail(self.envelope_from, [email.to], email.wire)
            return
        message = email.message()
        message.connection = self.connection
        message.send()


class SentMarker:
    """Records one email of a batch as sent: the UPDATE that follows every email that leaves.

    The statement is built once per batch, and on PostgreSQL prepared once per batch too:
    building it through the ORM for every email cost about a third of what handing the email
    to the mail server did, and planning it each time a fifth of what running it did. Only the
    answered flag can have changed since the claim, and that does not matter here: the email
    left. Use it as a context manager around the batch.
    """

    def __init__(self, *, batch: uuid.UUID, emails_sent: int) -> None:
        meta = Invitation._meta
        table = database.ops.quote_name(meta.db_table)
        sent, claim, claimed_at, pk = (
            database.ops.quote_name(meta.get_field(name).column)
            for name in ("emails_sent", "send_batch", "claimed_at", "id")
        )
        # Identifiers come from the model's own metadata; every value is a parameter.
        self.sql = (
            f"UPDATE {table} SET {sent} = %s, {claim} = NULL, {claimed_at} = NULL "  # noqa: S608  # nosec B608
            f"WHERE {pk} = %s AND {claim} = %s"
        )
        self.emails_sent = emails_sent
        self.batch = meta.get_field("send_batch").get_db_prep_value(batch, database)
        self.prepared = ""

    def __enter__(self) -> "SentMarker":
        self.cursor = database.cursor()
        self.statement = self.sql
        # Outside transactions only: inside one, an error would abort it, and with it any
        # chance to deallocate the statement.
        if database.vendor == "postgresql" and not database.in_atomic_block:
            self.prepared = f"pulse_mark_sent_{secrets.token_hex(4)}"
            self.cursor.execute(f"PREPARE {self.prepared} AS {self.sql % ('$1', '$2', '$3')}")
            self.statement = f"EXECUTE {self.prepared}(%s, %s, %s)"
        return self

    def __call__(self, invitation_id: int) -> None:
        self.cursor.execute(self.statement, [self.emails_sent, invitation_id, self.batch])

    def __exit__(self, error_type: type[BaseException] | None, *_: object) -> None:
        try:
            if self.prepared:
                self.cursor.execute(f"DEALLOCATE {self.prepared}")
        except DatabaseError:
            if error_type is None:
                raise
        finally:
            self.prepared = ""
            self.cursor.close()


@contextmanager
def commits_without_waiting_for_disk() -> Iterator[None]:
    """Let this connection's commits return before they reach the disk, for one batch.

    Each email is marked sent in a commit of its own right after it leaves; waiting for the disk
    on each of those made the database, not the mail server, the limit on sending. A commit that
    has not reached the disk yet still survives the sender being killed (the database server,
    or for SQLite's write-ahead log the operating system, already holds it), so a killed sender
    still repeats at most one email. Only a crash of the database machine itself can undo the
    last moments of commits; those people then get the email again, with a fresh link that works
    like the first. The setting is restored when the batch ends. Inside a transaction nothing
    commits per email, and nothing is changed.
    """
    restore: tuple[str, list[str] | None] | None = None
    if not database.in_atomic_block:
        with database.cursor() as cursor:
            if database.vendor == "postgresql":
                cursor.execute("SELECT current_setting('synchronous_commit')")
                previous = cursor.fetchone()[0]
                cursor.execute("SELECT set_config('synchronous_commit', 'off', false)")
                restore = ("SELECT set_config('synchronous_commit', %s, false)", [previous])
            elif database.vendor == "sqlite":
                cursor.execute("PRAGMA journal_mode")
                # NORMAL is only safe from corruption in WAL mode; elsewhere leave it alone.
                if cursor.fetchone()[0] == "wal":
                    cursor.execute("PRAGMA synchronous")
                    previous_level = int(cursor.fetchone()[0])
                    cursor.execute("PRAGMA synchronous = NORMAL")
                    restore = (f"PRAGMA synchronous = {previous_level:d}", None)
    try:
        yield
    finally:
        if restore is not None:
            with database.cursor() as cursor:
                cursor.execute(*restore)


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
