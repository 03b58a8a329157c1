"""An email backend for browser tests: Django's in-memory outbox (`mail.outbox`), behind a mail
server that no longer has some mailboxes. A message to one of them is refused for good (550),
as a real server refuses it, so HR's delivery figures count it as failed."""

import smtplib
from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.locmem import EmailBackend

# The mailboxes this server refuses; a test sets them before anything is sent.
GONE: set[str] = set()


class RefusingLocmemBackend(EmailBackend):
    def send_messages(self, messages: Sequence[EmailMessage]) -> int:
        for message in messages:
            refused = {address: (550, b"5.1.1 No such mailbox") for address in message.to}
            if set(message.to) & GONE:
                raise smtplib.SMTPRecipientsRefused(refused)
        return super().send_messages(messages)
