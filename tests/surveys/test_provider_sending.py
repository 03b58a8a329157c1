"""Sending through an email provider (anymail's test backend): a rejected address is recorded and
the batch goes on, a provider that is down hands the batch back; and a deployment without a
provider never loads anymail at all."""

import os
import subprocess
import sys
from typing import Any

import pytest
from anymail.exceptions import AnymailAPIError
from anymail.message import AnymailRecipientStatus
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from surveys import sending
from surveys.launch import launch_now
from surveys.models import Invitation
from surveys.sending import TransientSendError, send_owed
from tests.conftest import PROJECT_DIR
from tests.surveys.conftest import NOV_1_2026_0900_LONDON

pytestmark = pytest.mark.django_db
PROVIDER = "anymail.backends.test.EmailBackend"


def provider_answers(monkeypatch, responses: dict[str, object]) -> None:
    """Make the provider answer `responses[address]` for those addresses, "sent" for others."""
    build_email = sending.build_email

    def with_response(**kwargs: Any) -> EmailMultiAlternatives:
        message = build_email(**kwargs)
        if message.to[0] in responses:
            message.anymail_test_response = responses[message.to[0]]  # type: ignore[attr-defined]
        return message

    monkeypatch.setattr(sending, "build_email", with_response)


def test_an_address_the_provider_rejects_is_recorded_and_the_batch_goes_on(
    org, monthly, settings, monkeypatch
) -> None:
    settings.EMAIL_BACKEND = PROVIDER
    rejected = AnymailRecipientStatus(message_id=None, status="rejected")
    provider_answers(
        monkeypatch, {org.grace.email: {"recipient_status": {org.grace.email: rejected}}}
    )
    cycle = launch_now(cadence=monthly, now=NOV_1_2026_0900_LONDON)

    result = send_owed(cycle_id=cycle.pk)

    assert result.failed == 1 and result.sent == len(org.everyone) - 1
    grace = Invitation.objects.get(cycle=cycle, person=org.grace)
    assert grace.delivery_failed and grace.emails_sent == 0
    sent = Invitation.objects.filter(cycle=cycle, emails_sent=1).count()
    assert sent == len(org.everyone) - 1


def test_a_provider_that_is_down_hands_the_rest_of_the_batch_back(
    org, monthly, settings, monkeypatch
) -> None:
    settings.EMAIL_BACKEND = PROVIDER
    provider_answers(monkeypatch, {org.linus.email: AnymailAPIError("503 Service Unavailable")})
    cycle = launch_now(cadence=monthly, now=NOV_1_2026_0900_LONDON)

    with pytest.raises(TransientSendError):
        send_owed(cycle_id=cycle.pk)

    linus = Invitation.objects.get(cycle=cycle, person=org.linus)
    assert not linus.delivery_failed and linus.emails_sent == 0
    assert not Invitation.objects.filter(cycle=cycle, send_batch__isnull=False).exists()
    sent = set(
        Invitation.objects.filter(cycle=cycle, emails_sent=1).values_list(
            "person__email", flat=True
        )
    )
    assert sent == {m.to[0] for m in mail.outbox} - {org.linus.email}


def test_sending_without_a_provider_never_imports_anymail(tmp_path) -> None:
    code = (
        "import sys, django; django.setup(); "
        "from django.core.management import call_command; call_command('migrate', verbosity=0); "
        "from surveys import sending, tasks, scheduler; from django.utils import timezone; "
        "from surveys.models import Cadence; from surveys.launch import launch_now; "
        "from teams.models import Person; from teams.team_tree import sync_teams; "
        ""
        "boss = Person.objects.create(employee_id='0', email='boss@example.com', name='Boss'); "
        "[Person.objects.create(employee_id=str(n), email=f'p{n}@example.com', name='P', "
        "manager=boss) for n in range(1, 8)]; sync_teams(); "
        "cycle = launch_now(cadence=Cadence.objects.create(name='M', kind='monthly'), "
        "now=timezone.now()); "
        "print(sending.send_owed(cycle_id=cycle.pk).sent, 'anymail' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_DIR,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(tmp_path / "outbox"),
            "PULSE_VAR_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split()[-2:] == ["8", "False"]
