"""An address that is not there, or not the viewer's, gets the product's page: in its layout,
with a way on, also under DEBUG (scripts/run's default) for the pages people use. The admin keeps
Django's technical page under DEBUG, and the API answers JSON."""

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory, override_settings

from config.refusal_pages import permission_denied
from teams.roles import ensure_hr_group

pytestmark = pytest.mark.django_db


@pytest.fixture
def kenji() -> Client:
    user = User.objects.create_user("kenji@example.com", "kenji@example.com", "pw")
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def nadia() -> Client:
    user = User.objects.create_user("nadia@example.com", "nadia@example.com", "pw", is_staff=True)
    user.groups.add(ensure_hr_group())
    client = Client()
    client.force_login(user)
    return client


def looks_like_pulse(page: str) -> bool:
    return 'class="bar"' in page and "pulse/site.css" in page and "Traceback" not in page


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize(
    "address", ["/dashboard/no-such-page/", "/hr/heatmap/?cycle=999999", "/nowhere/"]
)
def test_a_manager_who_opens_a_wrong_address_gets_the_products_not_found_page(
    kenji, address: str, debug: bool
) -> None:
    with override_settings(DEBUG=debug):
        response = kenji.get(address)
    assert response.status_code == 404
    page = response.content.decode()
    assert looks_like_pulse(page)
    assert "This page is not here" in page
    assert "Go to your results" in page
    assert "My teams" in page  # the navigation of a signed-in manager
    assert "URLconf" not in page and "Using the URLconf" not in page
    assert "default-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.parametrize("debug", [False, True])
def test_a_wrong_answer_address_says_to_open_the_emailed_link_and_sends_no_referrer(
    debug: bool,
) -> None:
    with override_settings(DEBUG=debug):
        response = Client().get("/a/some-link/and-more/than-a-link-has/")
    assert response.status_code == 404
    page = response.content.decode()
    assert looks_like_pulse(page)
    assert "open the link in the email again" in page
    assert response["Referrer-Policy"] == "no-referrer"
    assert "sessionid" not in response.cookies


def test_someone_signed_out_is_offered_the_sign_in_page(db) -> None:
    with override_settings(DEBUG=True):
        page = Client().get("/dashboard/nothing/").content.decode()
    assert 'href="/accounts/login/"' in page


def test_the_admin_keeps_djangos_technical_page_under_debug(nadia) -> None:
    with override_settings(DEBUG=True):
        response = nadia.get("/admin/no-such-app/no-such-model/")
    assert response.status_code == 404
    assert "This page is not here" not in response.content.decode()


def test_an_unknown_api_address_answers_json_not_a_page(kenji) -> None:
    with override_settings(DEBUG=True):
        response = kenji.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_a_refused_action_gets_the_products_forbidden_page(db) -> None:
    # No page of Pulse refuses with PermissionDenied today; handler403 is what one would get.
    request = RequestFactory().get("/dashboard/")
    request.user = AnonymousUser()
    response = permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    page = response.content.decode()
    assert looks_like_pulse(page)
    assert "You cannot do this" in page and "ask HR" in page


def test_a_form_sent_without_its_csrf_cookie_is_refused_in_the_products_words(kenji) -> None:
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/accounts/login/", {"login": "k@example.com", "password": "x"})
    assert response.status_code == 403
    page = response.content.decode()
    assert looks_like_pulse(page)
    assert "That form could not be sent" in page and "Nothing was changed" in page
