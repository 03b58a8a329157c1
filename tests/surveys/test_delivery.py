"""Real SMTP: a local mail server that refuses one address for good and another for a while.
HR sees the permanent failure as a count; the temporary one is delivered on a later pass."""

import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.utils import timezone
from rest_framework.test import APIClient

from surveys.launch import launch_now
from surveys.models import Invitation
from surveys.scheduler import run_tick

pytestmark = pytest.mark.django_db


class PickyMailServer:
    """Refuses ada.lovelace@ with 550 always, grace.hopper@ with 451 the first time."""

    def __init__(self) -> None:
        self.delivered: list[str] = []
        self.grace_refused_once = False

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list
    ) -> str:
        if address.startswith("ada.lovelace@"):
            return "550 5.1.1 No such mailbox"
        if address.startswith("grace.hopper@") and not self.grace_refused_once:
            self.grace_refused_once = True
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.delivered.extend(envelope.rcpt_tos)
        return "250 Message accepted"


@pytest.fixture
def mail_server(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = PickyMailServer()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    yield handler
    controller.stop()


def test_a_refused_address_is_counted_for_hr_and_a_busy_server_is_retried(
    org, monthly, mail_server, admin_user
) -> None:
    cycle = launch_now(cadence=monthly, now=timezone.now())
    run_tick()
    assert "grace.hopper@example.com" not in mail_server.delivered
    run_tick()
    everyone_else = {p.email for p in org.everyone} - {"ada.lovelace@example.com"}
    assert sorted(mail_server.delivered) == sorted(everyone_else)

    ada = Invitation.objects.get(cycle=cycle, person=org.ada)
    assert ada.delivery_failed
    assert "550" in ada.delivery_error
    run_tick()
    assert len(mail_server.delivered) == len(everyone_else), "a refused address is not retried"

    client = APIClient()
    client.force_authenticate(admin_user)
    listed = client.get(f"/api/v1/cycles/{cycle.pk}/").json()
    assert listed["delivery_failures"] == 1
