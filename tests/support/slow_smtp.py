"""A local SMTP server that takes its time over every message, as a slow mail relay does, and
remembers whom each accepted message was for."""

import asyncio
import socket
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass
class SlowInbox:
    seconds_per_message: float
    port: int = 0
    recipients: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        # Asleep in the event loop, not blocking it: two senders' sessions are slow side by side.
        await asyncio.sleep(self.seconds_per_message)
        self.recipients.extend(envelope.rcpt_tos)
        return "250 Message accepted"

    def emails_per_recipient(self) -> Counter[str]:
        return Counter(self.recipients)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def slow_mail_server(seconds_per_message: float) -> Iterator[SlowInbox]:
    inbox = SlowInbox(seconds_per_message, port=free_port())
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()
