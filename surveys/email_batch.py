"""The emails of one sending batch: rendered once per variant, filled in for each person.

Within a batch the emails differ only in address, first name and link, and in whether they
remind. Rendering both templates and serialising the MIME message for every email took about
as much CPU as the mail server's whole exchange for it, so each variant (invitation, reminder) is
rendered once with random placeholders, and every email replaces them with its own values,
HTML-escaped in the HTML body as autoescaping would:

- `PreparedEmail.message()` is an EmailMultiAlternatives with the bodies filled in, for any
  email backend.
- `PreparedEmail.wire` is the whole message as Django's SMTP backend would put it on the wire,
  for sending over that backend's connection without serialising it again. It is None when a
  value could change the message's structure (anything but printable ASCII, an address
  Django would rewrite, a line that would grow too long); that email takes the full path.

Each variant is checked once per batch: sample values (with characters HTML must escape) go
through both the placeholders and a full rendering and serialisation, and must come out the
same. A difference (a template that puts the name or link through a filter or a condition, for
instance) makes the batch render every email in full rather than send a wrong one.
"""

import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formatdate

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import sanitize_address
from django.core.mail.utils import DNS_NAME
from django.template.loader import render_to_string
from django.utils.html import escape

from surveys.emails import (
    HTML_TEMPLATE,
    TEXT_TEMPLATE,
    SurveyFacts,
    answer_url,
    email_context,
    first_name_of,
    subject_of,
    survey_email,
)

logger = logging.getLogger(__name__)

# Addresses that Django's sanitize_address leaves exactly as they are: a dot-atom at a domain.
PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9_%+-]+(\.[A-Za-z0-9_%+-]+)*@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
# Tokens that reverse() puts into a URL unchanged (secrets.token_urlsafe's alphabet).
URL_SAFE_TOKEN = re.compile(r"[A-Za-z0-9_-]+")
HEADER_LINE_LIMIT = 78  # a longer header line may be folded
BODY_LINE_LIMIT = 998  # a longer body line makes Django switch to quoted-printable
SAMPLE_NAME = "O'Hara&<Zoe> Smith"  # the first name has every character HTML escapes
SAMPLE_ADDRESS = "zoe.o-hara+pulse@example.com"
SAMPLE_TOKEN = "sample-token-never-sent-0123456789abcdefghij"  # noqa: S105  # nosec B105


@dataclass(frozen=True)
class Placeholders:
    text_name: str
    text_link: str
    html_name: str
    html_link: str
    to: str
    message_id: str

    @classmethod
    def fresh(cls) -> "Placeholders":
        # Letters and digits, so that neither escaping nor MIME encoding changes them; random,
        # so that no name or template can contain one by accident.
        tag = secrets.token_hex(8)
        return cls(
            text_name=f"pulsetextname{tag}",
            text_link=f"pulsetextlink{tag}",
            html_name=f"pulsehtmlname{tag}",
            html_link=f"pulsehtmllink{tag}",
            to=f"pulseto{tag}@example.com",
            message_id=f"<pulsemessageid{tag}@example.com>",
        )


@dataclass(frozen=True)
class PreparedEmail:
    to: str
    subject: str
    wire: bytes | None
    bodies: Callable[[], tuple[str, str]]

    def message(self) -> EmailMultiAlternatives:
        text, html = self.bodies()
        return survey_email(to=self.to, subject=self.subject, text=text, html=html)


@dataclass
class Variant:
    """One variant's bodies, and optionally its whole serialised message, with placeholders."""

    subject: str
    placeholders: Placeholders
    text: str
    html: str
    wire: bytes | None = None

    def bodies(self, first_name: str, link: str) -> tuple[str, str]:
        marks = self.placeholders
        text = self.text.replace(marks.text_name, first_name).replace(marks.text_link, link)
        html = self.html.replace(marks.html_name, escape(first_name))
        return text, html.replace(marks.html_link, escape(link))

    def wire_bytes(self, *, to: str, first_name: str, link: str, message_id: str) -> bytes | None:
        if self.wire is None or not PLAIN_ADDRESS.fullmatch(to):
            return None
        marks = self.placeholders
        replacements = [
            (marks.to, to),
            (marks.message_id, message_id),
            (marks.text_name, first_name),
            (marks.text_link, link),
            (marks.html_name, escape(first_name)),
            (marks.html_link, escape(link)),
        ]
        if not all(value.isascii() and value.isprintable() for _, value in replacements):
            return None
        if max(len(f"To: {to}"), len(f"Message-ID: {message_id}")) > HEADER_LINE_LIMIT:
            return None
        data = self.wire
        for placeholder, value in replacements:
            data = data.replace(placeholder.encode(), value.encode())
        if max(map(len, data.split(b"\r\n"))) > BODY_LINE_LIMIT:
            return None
        return data


def new_message_id() -> str:
    # 96 random bits instead of make_msgid's time, process and random number: short enough
    # for the header to stay on one line with the usual host names, so the wire path applies.
    return f"<{secrets.token_hex(12)}@{DNS_NAME}>"


class BatchEmails:
    """Prepares the emails of one batch; see the module docstring."""

    def __init__(self, facts: SurveyFacts) -> None:
        self.facts = facts
        encoding = settings.DEFAULT_CHARSET
        # What Django's SMTP backend would give the server as the envelope sender.
        self.envelope_from = sanitize_address(settings.DEFAULT_FROM_EMAIL, encoding)
        # One date and one MIME boundary for the batch (random, so no body contains it).
        self.date = formatdate(localtime=settings.EMAIL_USE_LOCALTIME)
        self.boundary = f"pulse-{secrets.token_hex(16)}"
        self.variants: dict[bool, Variant | None] = {}
        # Every link is the same URL around a different token: reverse() it once per batch.
        marker = secrets.token_hex(8)
        self.link_around_token = answer_url(marker).split(marker)

    def link(self, token: str) -> str:
        if len(self.link_around_token) == 2 and URL_SAFE_TOKEN.fullmatch(token):
            before, after = self.link_around_token
            return before + token + after
        return answer_url(token)

    def prepare(self, *, to: str, name: str, token: str, is_reminder: bool) -> PreparedEmail:
        first_name, link = first_name_of(name), self.link(token)
        subject = subject_of(self.facts, is_reminder=is_reminder)
        if is_reminder not in self.variants:
            self.variants[is_reminder] = self.checked_variant(subject, is_reminder)
        variant = self.variants[is_reminder]
        if variant is None:
            return PreparedEmail(
                to, subject, None, lambda: self.render(first_name, link, is_reminder)
            )
        wire = variant.wire_bytes(
            to=to, first_name=first_name, link=link, message_id=new_message_id()
        )
        return PreparedEmail(to, subject, wire, lambda: variant.bodies(first_name, link))

    def checked_variant(self, subject: str, is_reminder: bool) -> Variant | None:
        marks = Placeholders.fresh()
        variant = Variant(
            subject=subject,
            placeholders=marks,
            text=self.render(marks.text_name, marks.text_link, is_reminder)[0],
            html=self.render(marks.html_name, marks.html_link, is_reminder)[1],
        )
        first_name, link = first_name_of(SAMPLE_NAME), answer_url(SAMPLE_TOKEN)
        text, html = self.render(first_name, link, is_reminder)
        if variant.bodies(first_name, link) != (text, html):
            logger.warning(
                "The survey email templates use the name or link other than as plain output; "
                "rendering every email of this batch in full."
            )
            return None
        variant.wire = self.serialise(
            marks.to, subject, variant.text, variant.html, marks.message_id
        )
        message_id = new_message_id()
        sample = variant.wire_bytes(
            to=SAMPLE_ADDRESS, first_name=first_name, link=link, message_id=message_id
        )
        full = self.serialise(SAMPLE_ADDRESS, subject, text, html, message_id)
        if sample != full:
            # Not an error: e.g. a long host name in the Message-ID. Bodies still come filled in.
            logger.info("Serialising every email of this batch in full.")
            variant.wire = None
        return variant

    def render(self, first_name: str, link: str, is_reminder: bool) -> tuple[str, str]:
        context = email_context(
            first_name=first_name, link=link, facts=self.facts, is_reminder=is_reminder
        )
        return render_to_string(TEXT_TEMPLATE, context), render_to_string(HTML_TEMPLATE, context)

    def serialise(self, to: str, subject: str, text: str, html: str, message_id: str) -> bytes:
        """The message exactly as Django's SMTP backend sends it, with this batch's date,
        boundary and the given Message-ID."""
        message = survey_email(to=to, subject=subject, text=text, html=html)
        message.extra_headers = {"Date": self.date, "Message-ID": message_id}
        mime = message.message()
        mime.set_boundary(self.boundary)
        return mime.as_bytes(linesep="\r\n")
