"""Celery tasks: thin wrappers that take ids, never objects, tokens or answers."""

from celery import Task, shared_task
from django.conf import settings

from surveys.scheduler import run_tick, sending_failed, sending_went_through
from surveys.sending import TransientSendError, send_owed

# Backoff for a mail server that is down: 30 s, 60 s, … capped well below the broker's
# visibility timeout, so no task is ever scheduled further ahead than it.
RETRY_BASE_SECONDS = 30
RETRY_CAP_SECONDS = 300
MAX_SEND_RETRIES = 5
SENDER_EXPIRES_SECONDS = 55


def retry_countdown(retries: int) -> int:
    return min(RETRY_CAP_SECONDS, RETRY_BASE_SECONDS * 2**retries)


@shared_task(name="surveys.tick", acks_late=True)
def tick() -> None:
    run_tick(dispatch_sender=dispatch_sender)


def dispatch_sender(cycle_id: int) -> None:
    # A sender left in the queue past the next tick is redundant: that tick dispatches afresh.
    # A list, so the message's argsrepr header reads "[cycle_id]" as it always has (the broker
    # hygiene test reads it there); Celery takes any sequence, celery-types only a tuple.
    send_owed_emails.apply_async(
        args=[cycle_id],  # type: ignore[arg-type]
        expires=SENDER_EXPIRES_SECONDS,
    )


@shared_task(
    bind=True, name="surveys.send_owed_emails", acks_late=True, max_retries=MAX_SEND_RETRIES
)
def send_owed_emails(self: Task, cycle_id: int) -> None:
    """Send one cycle's owed emails. Each cycle has its own senders, so one cycle's failure
    never holds up another's sending; it is logged by ids and shown to HR, not raised (Celery
    would log the exception's message, which can carry an address)."""
    try:
        send_owed(cycle_id=cycle_id, time_budget_seconds=settings.PULSE_SENDER_TIME_BUDGET_SECONDS)
    except TransientSendError as error:
        # expires=None: the retry must not inherit the dispatch's short expiry. Celery passes it
        # on as "no expiry"; celery-types only admits a number or a datetime.
        raise self.retry(
            countdown=retry_countdown(self.request.retries),
            exc=error,
            expires=None,  # type: ignore[arg-type]
        ) from error
    except Exception as error:
        sending_failed(cycle_id, error)
        return
    sending_went_through(cycle_id)
