"""Sending through a real SMTP server: every invitation arrives with a working personal link, and
a server that stops taking mail mid-batch leaves exactly the emails that left marked as sent."""

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from django.db import transaction
from django.test import override_settings

from surveys.launch import launch_now
from surveys.models import Cycle, Invitation
from surveys.redemption import redeem
from surveys.sending import TransientSendError, send_owed
from teams.models import Person
from tests.surveys.conftest import NOV_1_2026_0900_LONDON, Org

pytestmark = pytest.mark.django_db


@dataclass
class Inbox:
    """An SMTP server's view: what it accepted, and which recipients it turns away."""

    received: list[EmailMessage] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)

    async def handle_RCPT(self, server, session, envelope, address, options) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        self.received.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"

    def to(self) -> list[str]:
        return [message["To"] for message in self.received]


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    smtp = override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_USE_TLS=False,
    )
    with smtp:
        yield inbox
    controller.stop()


def open_cycle(monthly) -> Cycle:
    return launch_now(cadence=monthly, now=NOV_1_2026_0900_LONDON)


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None, "every email carries plain text and HTML"
    return text.get_content(), html.get_content()


def link_token(text: str) -> str:
    line = next(line for line in text.splitlines() if "/a/" in line)
    return line.strip().rstrip("/").rsplit("/", 1)[1]


def test_everyone_gets_an_email_with_their_own_working_link(org: Org, monthly, inbox) -> None:
    oneil = Person.objects.create(
        employee_id="o1", email="oneil@example.com", name="O'Neil&<Co> Smith", manager=org.ada
    )
    zoe = Person.objects.create(
        employee_id="z1", email="zoe@example.com", name="Zoë Ørsted", manager=org.ada
    )
    cycle = open_cycle(monthly)

    result = send_owed(cycle_id=cycle.pk)

    everyone = [*org.everyone, oneil, zoe]
    assert result.sent == len(everyone)
    assert sorted(inbox.to()) == sorted(person.email for person in everyone)
    by_address = {message["To"]: parts(message) for message in inbox.received}
    for person in everyone:
        text, html = by_address[person.email]
        assert text.startswith(f"Hi {person.name.split()[0]},")
        assert link_token(text) in html
    assert "Hi O&#x27;Neil&amp;&lt;Co&gt;," in by_address[oneil.email][1]
    assert "Hi Zoë," in by_address[zoe.email][1]
    with transaction.atomic():
        for text, _ in by_address.values():
            redeem(link_token(text))
    assert not Invitation.objects.filter(cycle=cycle, answered=False).exists()


def test_a_server_that_stops_taking_mail_leaves_only_the_sent_emails_marked(
    org: Org, monthly, inbox
) -> None:
    cycle = open_cycle(monthly)
    inbox.refuse[org.platform[2].email] = "451 Try again later"

    with pytest.raises(TransientSendError):
        send_owed(cycle_id=cycle.pk)

    sent = set(
        Invitation.objects.filter(cycle=cycle, emails_sent=1).values_list(
            "person__email", flat=True
        )
    )
    assert sent == set(inbox.to())
    assert org.platform[2].email not in sent
    assert not Invitation.objects.filter(cycle=cycle, send_batch__isnull=False).exists()

    del inbox.refuse[org.platform[2].email]
    send_owed(cycle_id=cycle.pk)
    assert sorted(inbox.to()) == sorted(person.email for person in org.everyone)


def test_an_address_the_server_rejects_is_recorded_and_the_batch_goes_on(
    org: Org, monthly, inbox
) -> None:
    cycle = open_cycle(monthly)
    inbox.refuse[org.grace.email] = "550 No such user"

    result = send_owed(cycle_id=cycle.pk)

    assert result.failed == 1 and result.sent == len(org.everyone) - 1
    grace = Invitation.objects.get(cycle=cycle, person=org.grace)
    assert grace.delivery_failed and "550" in grace.delivery_error
    assert org.grace.email not in inbox.to()


def test_a_stored_address_no_header_can_carry_is_marked_undeliverable_and_the_batch_goes_on(
    org: Org, monthly, inbox
) -> None:
    Person.objects.filter(pk=org.grace.pk).update(email="grace@example.com\nBcc: x@example.com")
    cycle = open_cycle(monthly)

    result = send_owed(cycle_id=cycle.pk)

    assert result.failed == 1 and result.sent == len(org.everyone) - 1
    assert len(inbox.received) == len(org.everyone) - 1
    grace = Invitation.objects.get(cycle=cycle, person=org.grace)
    assert grace.delivery_failed and grace.emails_sent == 0
    # No header was injected: a line of its own, not the letters "Bcc", which a random link
    # token may hold.
    assert all(message["Bcc"] is None for message in inbox.received)
    assert not any("\nBcc:" in str(message) for message in inbox.received)
    assert "x@example.com" not in inbox.to()
