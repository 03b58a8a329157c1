"""Keep answer links out of logs and error reports.

The link's token is a capability: anyone holding it can answer in someone's place until it is
used, and a log line pairing it with a time is a clue to who answered when. Django logs the path
of every 4xx and 5xx (django.request) and runserver logs every request (django.server), so the
record factory installed below rewrites any answer path in every record as it is created,
before any handler, the project's or a test's or a log shipper's, can see it.
"""

import logging
import re
from collections.abc import ItemsView
from types import FrameType
from typing import Any

from django.http import HttpRequest
from django.views.debug import SafeExceptionReporterFilter

# Both forms of the answer link: /a/<token>/ and /a/<cycle public id>/<token>/.
ANSWER_PATH = re.compile(r"(/a/|/api/v1/pulse/)[^/\s?\"']+(?:/[^/\s?\"']+)?")
REDACTED = r"\1[redacted]"


def redact(text: str) -> str:
    return ANSWER_PATH.sub(REDACTED, text)


# SQL logging (django.db.backends at DEBUG) would otherwise record, with a time, each
# statement that carries answers, comments or sealed ballots (the anonymous tables), each link
# digest (stored at sending, looked up and redeemed at answering: each person's answer minute),
# each statement that marks an invitation answered or rewrites invitations (the scheduler's
# rewrite of a unit's answered ones while open, and close's), and each deletion of invitations.
WITHHELD_STATEMENTS = re.compile(
    r"pulse_(response|comment|pendingballot|releasedcomment)"
    r"|surveys_invitationtoken"
    r"|surveys_invitation\b.*\banswered\b"
    r"|DELETE FROM \S*surveys_invitation\b",
    re.DOTALL,
)
WITHHELD = "[a statement on answers, links or answered invitations, not logged]"


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    message = record.getMessage()
    if ANSWER_PATH.search(message):
        record.msg, record.args = redact(message), None
    if record.exc_info and record.exc_info[0] is not None:
        # A traceback's text can quote a request (a template's failed variable look-up prints
        # its whole context): formatters print exc_text when it is set, so set it redacted.
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
    # Attributes passed as `extra` (django.request's request, django.db.backends' sql and
    # params) are attached after this factory runs and must not be set here: Python refuses to
    # overwrite them. The statements' are withheld by WithholdStatements below.
    return record


class WithholdStatements(logging.Filter):
    """On the django.db.backends logger: replaces a withheld statement in the message and in
    the `sql` and `params` attributes Django attaches (which a log shipper that sends every
    attribute would otherwise carry), before any handler sees the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        statement = str(vars(record).get("sql") or "")
        if WITHHELD_STATEMENTS.search(statement) or WITHHELD_STATEMENTS.search(record.getMessage()):
            record.msg, record.args = WITHHELD, None
            record.sql, record.params = WITHHELD, None
        return True


def install_record_factory() -> None:
    """Wrap the current log record factory once, and filter SQL logging (PulseConfig.ready
    calls this)."""
    statements = logging.getLogger("django.db.backends")
    if not any(isinstance(found, WithholdStatements) for found in statements.filters):
        statements.addFilter(WithholdStatements())
    current = logging.getLogRecordFactory()
    if getattr(current, "redacts_answer_links", False):
        return

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        return redact_record(current(*args, **kwargs))

    factory.redacts_answer_links = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


class AnswerSafeExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error reports (admins' emails, the debug page) show no answer and no token."""

    def is_answer_request(self, request: HttpRequest | None) -> bool:
        return request is not None and bool(ANSWER_PATH.search(request.path))

    def get_post_parameters(self, request: HttpRequest | None) -> dict[str, Any]:
        if request is not None and self.is_answer_request(request):
            return {key: self.cleansed_substitute for key in request.POST}
        return super().get_post_parameters(request)

    def get_traceback_frame_variables(
        self, request: HttpRequest | None, tb_frame: FrameType
    ) -> ItemsView[str, Any]:
        found = super().get_traceback_frame_variables(request, tb_frame)
        if self.is_answer_request(request):
            return {name: self.cleansed_substitute for name, _ in found}.items()
        return found
