"""Grace leads Platform and writes a script against the API: she creates a token on her profile
page, the script sends it, and she revokes it when the script is retired. Linus, who leads Data,
sees none of it."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.test import APIClient

from teams.accounts import ensure_login
from teams.models import ApiToken
from tests.anonymity.conftest import company
from tests.test_csp import refusals

__all__ = ["company"]

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password-1"


def logged_in_as(email: str, *, hr: bool = False) -> Client:
    user = ensure_login(email=email, password=PASSWORD, hr=hr).user
    assert isinstance(user, User)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def grace(company) -> Client:
    return logged_in_as(company["grace"][0].email)


@pytest.fixture
def linus(company) -> Client:
    linus = next(person for person in company["leads"] if person.employee_id == "linus")
    return logged_in_as(linus.email)


def create(client: Client, name: str) -> str:
    response = client.post("/profile/tokens/", {"name": name})
    assert response.status_code == 201, response.content
    page = response.content.decode()
    token = page.split('<code class="token">')[1].split("</code>")[0]
    assert token.startswith("pulse_") and len(token) > 40
    return token


def api_with(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_a_manager_creates_a_token_that_is_shown_once_and_stored_only_as_a_digest(grace) -> None:
    response = grace.post("/profile/tokens/", {"name": "weekly export"})
    assert response.status_code == 201
    assert response["Cache-Control"].startswith("max-age=0")
    assert "no-store" in response["Cache-Control"]
    # The page with the token obeys the strict CSP like every other.
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert refusals(response.content.decode()) == []
    token = response.content.decode().split('<code class="token">')[1].split("</code>")[0]
    (stored,) = ApiToken.objects.all()
    assert stored.name == "weekly export"
    assert token not in (stored.digest, stored.name) and len(stored.digest) == 64
    again = grace.get("/profile/").content.decode()
    assert "weekly export" in again and token not in again
    assert "never" in again  # not used yet


def test_a_token_authenticates_its_owner_and_notes_when_it_was_used(grace) -> None:
    token = create(grace, "results script")
    # Authenticated as Grace: told there are no results (yet), not asked who she is.
    response = api_with(token).get("/api/v1/results/?cycle=1")
    assert response.status_code == 404, response.content
    assert response.json()["code"] == "not_found"
    assert ApiToken.objects.get().last_used_at is not None
    assert "never" not in grace.get("/profile/").content.decode()


def test_hr_calls_hr_only_operations_with_a_token(company) -> None:
    nadia = logged_in_as("nadia@example.com", hr=True)
    token = create(nadia, "cadence sync")
    assert api_with(token).get("/api/v1/cadences/").status_code == 200


def test_a_revoked_token_authenticates_nobody(grace) -> None:
    token = create(grace, "old script")
    hr_client = logged_in_as("nadia@example.com", hr=True)
    hr_token = create(hr_client, "cadences")
    assert api_with(hr_token).get("/api/v1/cadences/").status_code == 200
    listed = ApiToken.objects.get(name="cadences")
    assert hr_client.post(f"/profile/tokens/{listed.pk}/revoke/").status_code == 302
    refused = api_with(hr_token).get("/api/v1/cadences/")
    assert refused.status_code == 401
    assert refused.json()["code"] == "authentication_failed"
    assert "revoked" in refused.json()["message"]
    # The token list names tokens in row headers; the menu links to the cadence pages.
    assert '<th scope="row">cadences</th>' not in hr_client.get("/profile/").content.decode()
    # Grace's token is untouched.
    assert ApiToken.objects.filter(name="old script").exists()
    assert api_with(token).get("/api/v1/results/?cycle=1").status_code == 404


def test_a_token_stops_working_when_its_login_is_deactivated(grace) -> None:
    token = create(grace, "results script")
    User.objects.filter(api_tokens__isnull=False).update(is_active=False)
    assert api_with(token).get("/api/v1/results/?cycle=1").status_code == 401


def test_another_managers_token_page_shows_nothing_of_yours(grace, linus) -> None:
    token = create(grace, "grace's platform export")
    page = linus.get("/profile/").content.decode()
    assert "platform export" not in page and token not in page
    assert "You have no API tokens." in page
    # Nor can Linus revoke it: to him it does not exist.
    grace_token = ApiToken.objects.get()
    assert linus.post(f"/profile/tokens/{grace_token.pk}/revoke/").status_code == 404
    assert ApiToken.objects.filter(pk=grace_token.pk).exists()


def test_a_made_up_or_malformed_token_is_refused_with_401(db) -> None:
    for header in ("Bearer pulse_made-up", "Bearer not-even-ours", "Bearer two parts"):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=header)
        response = client.get("/api/v1/cadences/")
        assert response.status_code == 401, header
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_token_needs_a_name_and_a_refused_one_stores_nothing(grace) -> None:
    response = grace.post("/profile/tokens/", {"name": "   "})
    assert response.status_code == 400
    assert "Give the token a name" in response.content.decode()
    too_long = grace.post("/profile/tokens/", {"name": "x" * 101})
    assert too_long.status_code == 400
    assert "at most 100 characters" in too_long.content.decode()
    assert not ApiToken.objects.exists()


def test_a_login_that_is_neither_hr_nor_a_manager_gets_no_token(company) -> None:
    engineer = logged_in_as(company["platform"][0].email)
    page = engineer.get("/profile/").content.decode()
    assert "API tokens are for HR admins and managers." in page
    response = engineer.post("/profile/tokens/", {"name": "sneaky"})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_the_profile_page_is_in_the_nav_and_needs_a_login(grace) -> None:
    assert 'href="/profile/"' in grace.get("/dashboard/").content.decode()
    assert Client().get("/profile/").status_code == 302


def test_the_schema_names_tokens_as_a_security_scheme(db) -> None:
    schema = Client().get("/api/schema/", HTTP_ACCEPT="application/json").json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["apiToken"]["scheme"] == "bearer"
    assert schemes["basicAuth"]["scheme"] == "basic"
    cadences = schema["paths"]["/api/v1/cadences/"]["get"]
    assert {"apiToken": []} in cadences["security"]
