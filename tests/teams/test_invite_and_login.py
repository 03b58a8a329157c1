"""HR invites Grace to log in; Grace sets a password from the email and logs in. A script
guessing passwords is slowed down."""

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

from teams.models import Person
from teams.roles import ensure_hr_group

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr_client() -> Client:
    nadia = User.objects.create_user("nadia@example.com", "nadia@example.com", "pw", is_staff=True)
    nadia.groups.add(ensure_hr_group())
    client = Client()
    client.force_login(nadia)
    return client


def test_hr_invites_a_manager_who_sets_a_password_and_logs_in(hr_client) -> None:
    grace = Person.objects.create(employee_id="g", email="grace@example.com", name="Grace Hopper")
    response = hr_client.post(
        "/admin/teams/person/", {"action": "invite_to_log_in", "_selected_action": [grace.pk]}
    )
    assert response.status_code == 302
    grace.refresh_from_db()
    assert grace.user is not None and not grace.user.has_usable_password()
    (invitation,) = mail.outbox
    assert invitation.to == ["grace@example.com"]
    found = re.search(r"http://\S+/accounts/password/reset/key/\S+", str(invitation.body))
    assert found, invitation.body
    link = found.group(0)

    browser = Client()
    form_page = browser.get(link, follow=True)
    assert form_page.status_code == 200
    done = browser.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link,
        {"password1": "a-long-new-password-9", "password2": "a-long-new-password-9"},
    )
    assert done.status_code == 302
    assert Client().login(username="grace@example.com", password="a-long-new-password-9")


def test_there_is_no_self_service_sign_up(db) -> None:
    page = Client().get("/accounts/signup/")
    assert page.status_code == 200
    assert "closed" in page.content.decode().lower()


@pytest.mark.redis
def test_a_password_guessing_loop_is_throttled(db) -> None:
    User.objects.create_user("grace@example.com", "grace@example.com", "the-right-password-1")
    guesser = Client()

    def attempt(password: str) -> str:
        page = guesser.post(
            "/accounts/login/", {"login": "grace@example.com", "password": password}
        )
        return page.content.decode()

    pages = [attempt(f"guess-{n}") for n in range(6)]
    assert all("Too many failed login attempts" not in page for page in pages[:5])
    assert "Too many failed login attempts" in pages[5]
    # Now even the right password waits: the counter is per account, in Redis, with expiry.
    assert "Too many failed login attempts" in attempt("the-right-password-1")
