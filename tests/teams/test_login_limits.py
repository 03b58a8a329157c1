"""Every way in with a password meets the same failed-login limits: the admin's login address
(which leads to the login page) and HTTP Basic auth on the API. Harriet is HR; a script guesses
her password."""

import base64

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.test import APIClient

from teams.accounts import ensure_login

pytestmark = [pytest.mark.django_db, pytest.mark.redis]

HARRIET = "harriet@example.com"
PASSWORD = "the-right-password-1"
GUESSER = "203.0.113.50"


@pytest.fixture
def harriet(db) -> str:
    ensure_login(email=HARRIET, password=PASSWORD, hr=True)
    return HARRIET


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def admin_login_attempt(client: Client, password: str) -> int:
    """As a browser does it: the admin's login address, then the form it leads to."""
    door = client.get("/admin/login/?next=/admin/teams/person/")
    assert door.status_code == 302, "the admin's login address leads to the login page"
    login_page = door["Location"]
    assert login_page.startswith("/accounts/login/?next=")
    response = client.post(login_page, {"login": HARRIET, "password": password})
    return response.status_code


def basic(login: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{login}:{password}".encode()).decode()


def test_thirty_wrong_admin_logins_and_then_the_right_password_is_refused(harriet) -> None:
    guesser = Client(REMOTE_ADDR=GUESSER)
    statuses = [admin_login_attempt(guesser, f"guess-{n}") for n in range(30)]
    assert 429 not in statuses[:5]
    assert admin_login_attempt(guesser, PASSWORD) == 429
    assert not logged_in(guesser)
    assert guesser.get("/admin/").status_code == 302
    # The limit is Harriet's too, not only the guesser's address: from her own desk she waits.
    harriet_desk = Client(REMOTE_ADDR="198.51.100.20")
    page = harriet_desk.post("/accounts/login/", {"login": HARRIET, "password": PASSWORD})
    assert "Too many failed login attempts" in page.content.decode()
    assert not logged_in(harriet_desk)


def test_the_old_admin_form_logs_nobody_in(harriet) -> None:
    client = Client(REMOTE_ADDR=GUESSER)
    response = client.post(
        "/admin/login/?next=/admin/", {"username": HARRIET, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/"
    assert not logged_in(client)


def test_after_logging_in_the_admin_login_address_goes_on_to_the_admin(harriet) -> None:
    client = Client()
    assert admin_login_attempt(client, PASSWORD) == 302
    assert logged_in(client)
    assert client.get("/admin/login/?next=/admin/teams/person/")["Location"] == (
        "/admin/teams/person/"
    )
    # An address elsewhere is not followed.
    assert client.get("/admin/login/?next=https://evil.example/")["Location"] == "/admin/"


def test_a_manager_at_the_admin_login_address_is_told_why_and_not_sent_round(db) -> None:
    login = ensure_login(email="grace@example.com", password=PASSWORD)
    assert isinstance(login.user, User)
    client = Client()
    client.force_login(login.user)
    refused = client.get("/admin/login/?next=/admin/")
    assert refused.status_code == 403
    assert "does not open the administration" in refused.content.decode()


def test_thirty_wrong_basic_auth_passwords_and_then_the_right_one_is_refused(harriet) -> None:
    script = APIClient(REMOTE_ADDR=GUESSER)
    for n in range(30):
        script.credentials(HTTP_AUTHORIZATION=basic(HARRIET, f"guess-{n}"))
        assert script.get("/api/v1/cadences/").status_code in (401, 429)
    script.credentials(HTTP_AUTHORIZATION=basic(HARRIET, PASSWORD))
    refused = script.get("/api/v1/cadences/")
    assert refused.status_code == 429
    body = refused.json()
    assert body["code"] == "too_many_login_attempts"
    assert "try again" in body["message"]
    assert int(refused["Retry-After"]) > 0
    # One counter for every way in: the login page refuses Harriet's password as well.
    page = Client(REMOTE_ADDR="198.51.100.20").post(
        "/accounts/login/", {"login": HARRIET, "password": PASSWORD}
    )
    assert "Too many failed login attempts" in page.content.decode()


def test_a_right_basic_auth_password_is_not_held_against_anyone(harriet) -> None:
    script = APIClient(REMOTE_ADDR=GUESSER)
    script.credentials(HTTP_AUTHORIZATION=basic(HARRIET, PASSWORD))
    assert [script.get("/api/v1/cadences/").status_code for _ in range(12)] == [200] * 12


@pytest.fixture
def hashes(monkeypatch) -> list[str]:
    """Every password hashed from now on (tests hash with MD5: config.test_settings)."""
    hashed: list[str] = []
    original = MD5PasswordHasher.encode

    def counted(self: MD5PasswordHasher, password: str, salt: str) -> str:
        hashed.append(password)
        return original(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counted)
    return hashed


@pytest.mark.parametrize("login", [HARRIET, "nobody@example.com"])
def test_a_wrong_basic_auth_password_costs_one_password_hash(harriet, login, hashes) -> None:
    script = APIClient(REMOTE_ADDR=GUESSER)
    script.credentials(HTTP_AUTHORIZATION=basic(login, "a-wrong-password"))
    response = script.get("/api/v1/cadences/")
    assert response.status_code == 401
    assert len(hashes) == 1


def test_no_credentials_get_401_naming_how_to_authenticate(db) -> None:
    response = APIClient().get("/api/v1/cadences/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json() == {
        "code": "not_authenticated",
        "message": "Authentication credentials were not provided.",
        "fields": {},
    }


def test_behind_a_proxy_a_guesser_does_not_lock_out_the_office(harriet, settings) -> None:
    # Everyone arrives from the proxy's address; the proxy names the client in X-Forwarded-For.
    settings.PULSE_CLIENT_ADDRESS_HEADER = "HTTP_X_FORWARDED_FOR"
    proxy = "10.0.0.1"
    guesser = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=GUESSER)
    for n in range(12):  # past the 10 a minute per address, spread over logins
        guesser.post("/accounts/login/", {"login": f"someone{n}@example.com", "password": "x"})
    page = guesser.post("/accounts/login/", {"login": "another@example.com", "password": "x"})
    assert "Too many failed login attempts" in page.content.decode()
    colleague = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert (
        colleague.post("/accounts/login/", {"login": HARRIET, "password": PASSWORD}).status_code
        == 302
    )
    assert logged_in(colleague)


@pytest.mark.parametrize("login", [HARRIET, "nobody@example.com"])
def test_a_wrong_password_on_the_login_page_costs_one_password_hash(harriet, login, hashes) -> None:
    page = Client().post("/accounts/login/", {"login": login, "password": "a-wrong-password"})
    assert page.status_code == 200
    assert len(hashes) == 1
