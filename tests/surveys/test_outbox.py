"""In development, a newcomer finds the sent emails on /dev/outbox/ and can click a link."""

import pytest
from django.utils import timezone

from surveys.launch import launch_now
from surveys.scheduler import run_tick

pytestmark = pytest.mark.django_db


@pytest.fixture
def file_outbox(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    return tmp_path


def test_the_outbox_lists_every_invitation_with_its_answer_link(
    org, monthly, file_outbox, client, settings
) -> None:
    launch_now(cadence=monthly, now=timezone.now())
    run_tick()
    settings.DEBUG = True
    page = client.get("/dev/outbox/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("Your team pulse") == len(org.everyone)
    assert html.count('<a href="http://localhost:8000/a/') == len(org.everyone)
    assert org.grace.email in html


def test_there_is_no_outbox_in_production(org, monthly, file_outbox, client, settings) -> None:
    launch_now(cadence=monthly, now=timezone.now())
    run_tick()
    settings.DEBUG = False
    assert client.get("/dev/outbox/").status_code == 404
