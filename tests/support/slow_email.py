"""An email backend for recovery tests: Django's file backend, slowed down per message, so a
test can kill a worker while a batch is half sent."""

import time
from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.filebased import EmailBackend

SECONDS_PER_MESSAGE = 0.1


class SlowFileBackend(EmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        time.sleep(SECONDS_PER_MESSAGE * len(email_messages))
        return super().send_messages(email_messages)
