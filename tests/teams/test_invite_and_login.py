"""HR invites Grace to log in; Grace sets a password from the email and logs in. A script
guessing passwords is slowed down."""

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

from teams.accounts import ensure_login
from teams.models import Person
from teams.roles import ensure_hr_group
from teams.team_tree import sync_teams

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr_client() -> Client:
    nadia = User.objects.create_user("nadia@example.com", "nadia@example.com", "pw", is_staff=True)
    nadia.groups.add(ensure_hr_group())
    client = Client()
    client.force_login(nadia)
    return client


@pytest.fixture
def named_site(settings) -> None:
    settings.PULSE_BASE_URL = "https://pulse.example.com"
    settings.PULSE_SITE_NAME = "Acme Pulse"
    settings.DEFAULT_FROM_EMAIL = "Acme Pulse <pulse@example.com>"


def invite(hr_client: Client, person: Person) -> mail.EmailMultiAlternatives:
    response = hr_client.post(
        "/admin/teams/person/", {"action": "invite_to_log_in", "_selected_action": [person.pk]}
    )
    assert response.status_code == 302
    (invitation,) = mail.outbox
    assert isinstance(invitation, mail.EmailMultiAlternatives)  # HTML and plain text
    return invitation


def set_password_link(invitation: mail.EmailMultiAlternatives) -> str:
    found = re.search(r"https?://\S+/accounts/password/reset/key/\S+", str(invitation.body))
    assert found, invitation.body
    return found.group(0)


def test_the_invitation_is_pulses_own_email_saying_who_invited_and_what_grace_will_see(
    hr_client, named_site
) -> None:
    nadia = User.objects.get(username="nadia@example.com")
    nadia.first_name, nadia.last_name = "Nadia", "Boulanger"
    nadia.save()
    grace = Person.objects.create(employee_id="g", email="grace@example.com", name="Grace Hopper")
    Person.objects.create(employee_id="r", email="r@example.com", name="Ria", manager=grace)
    sync_teams()

    invitation = invite(hr_client, grace)

    assert invitation.to == ["grace@example.com"]
    assert invitation.from_email == "Acme Pulse <pulse@example.com>"
    assert invitation.subject == "Nadia Boulanger invited you to Acme Pulse: set your password"
    html = invitation.alternatives[0][0]
    for body in (str(invitation.body), str(html)):
        assert "Hi Grace" in body
        assert "Nadia Boulanger invited you to Acme Pulse" in body
        assert "the results for" in body and "Grace Hopper" in body
        assert "sign-in code" in body
        assert "localhost" not in body
        assert "someone else" not in body and "password reset" not in body.lower()
    assert 'href="https://pulse.example.com/accounts/password/reset/key/' in str(html)
    assert ">Set your password</a>" in str(html)
    assert set_password_link(invitation) in str(html)


def test_an_hr_admins_invitation_says_they_will_see_the_organisations_results(
    hr_client, named_site
) -> None:
    olga = Person.objects.create(employee_id="o", email="olga@example.com", name="Olga Ivanova")
    ensure_login(email=olga.email, hr=True)
    body = str(invite(hr_client, olga).body)
    assert "the organisation's results" in body and "the results for" not in body


def test_grace_sets_a_password_from_the_invitation_and_lands_signed_in_on_her_dashboard(
    hr_client,
) -> None:
    grace = Person.objects.create(employee_id="g", email="grace@example.com", name="Grace Hopper")
    invitation = invite(hr_client, grace)
    grace.refresh_from_db()
    assert grace.user is not None and not grace.user.has_usable_password()
    link = set_password_link(invitation)

    browser = Client()
    form_page = browser.get(link, follow=True)
    assert form_page.status_code == 200
    landed = browser.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link,
        {"password1": "a-long-new-password-9", "password2": "a-long-new-password-9"},
        follow=True,
    )

    assert landed.redirect_chain[-1][0] == "/dashboard/"
    assert landed.status_code == 200
    assert landed.wsgi_request.user.username == "grace@example.com"
    assert Client().login(username="grace@example.com", password="a-long-new-password-9")
    # The link worked once: opening it again sets nothing.
    again = Client().get(link, follow=True)
    assert b"password1" not in again.content


def test_the_login_page_offers_a_sign_in_code_and_no_sign_up(db) -> None:
    page = Client().get("/accounts/login/").content.decode()
    assert "Send me a sign-in code" in page
    assert "/accounts/login/code/" in page
    assert "sign up" not in page.lower() and "/accounts/signup/" not in page


@pytest.mark.parametrize(
    "address",
    [
        "/accounts/login/",
        "/accounts/login/code/",
        "/accounts/password/reset/",
        "/accounts/password/reset/done/",
        "/accounts/logout/",
        "/accounts/signup/",
    ],
)
def test_no_page_links_to_sign_up(db, address: str) -> None:
    page = Client().get(address, follow=True).content.decode()
    assert 'href="/accounts/signup/' not in page
    assert "sign up" not in page.lower()


def test_signed_in_is_not_said_again_after_logging_out(db) -> None:
    User.objects.create_user("grace@example.com", "grace@example.com", "the-right-password-1")
    browser = Client()
    browser.post(
        "/accounts/login/", {"login": "grace@example.com", "password": "the-right-password-1"}
    )
    browser.post("/accounts/logout/")
    login_page = browser.get("/accounts/login/").content.decode()
    assert "Successfully signed in" not in login_page
    assert "signed out" not in login_page.lower()


def test_there_is_no_self_service_sign_up(db) -> None:
    page = Client().get("/accounts/signup/")
    assert page.status_code == 200
    assert "Logins are by invitation" in page.content.decode()
    assert (
        not Client()
        .post(
            "/accounts/signup/",
            {"email": "eve@example.com", "password1": "a-long-pw-77", "password2": "a-long-pw-77"},
        )
        .wsgi_request.user.is_authenticated
    )
    assert not User.objects.filter(username="eve@example.com").exists()


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
