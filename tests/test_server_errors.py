"""When Pulse itself fails, people are told what it means for them, and the next request works.

A respondent whose answer page fails is told that nothing was recorded and the link still works;
anyone else gets a calm page in the site's style; a program gets the API's error body. After a
database restart, a connection the server kept is checked before it is used again, so the first
request after the restart is answered, not failed.
"""

from collections.abc import Callable
from wsgiref.util import setup_testing_defaults

import psycopg
import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client

from config.wsgi import application
from teams.roles import ensure_hr_group
from tests.test_api_errors import error_of

pytestmark = pytest.mark.django_db


class DatabaseGone(RuntimeError):
    """Stands for anything unexpected, such as the database going away mid-request."""


def failing(monkeypatch, target: str) -> Client:
    """A client whose requests fail inside `target`; the failure is answered, not raised."""

    def fail(*args: object, **kwargs: object) -> None:
        raise DatabaseGone("the database went away")

    monkeypatch.setattr(target, fail)
    return Client(raise_request_exception=False)


def test_a_failing_answer_page_says_nothing_was_recorded_and_the_link_still_works(
    monkeypatch,
) -> None:
    client = failing(monkeypatch, "pulse.answer_views.look_up")
    response = client.get("/a/a-link-someone-was-sent/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Nothing was recorded, and your link still works." in page
    assert "try again in a minute" in page
    assert 'href="/a/a-link-someone-was-sent/"' in page  # trying again is opening it again
    assert "pulse/answer.css" in page  # the answer page's own style
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "no-store"
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_a_failing_answer_api_says_the_same_in_the_error_body(monkeypatch) -> None:
    client = failing(monkeypatch, "pulse.api.look_up")
    body = error_of(client.get("/api/v1/pulse/a-link-someone-was-sent"), 500)
    assert body == {
        "code": "server_error",
        "message": "Something went wrong on our side and your answers were not recorded. "
        "Your link still works: please try again in a minute.",
        "fields": {},
    }


def test_any_other_failing_api_answers_in_the_error_body(monkeypatch) -> None:
    hannah = User.objects.create_user("hannah", "hannah@example.com", "pw")
    hannah.groups.add(ensure_hr_group())
    client = failing(monkeypatch, "surveys.api.cycles_with_delivery")
    client.force_login(hannah)
    body = error_of(client.get("/api/v1/cycles/"), 500)
    assert body["code"] == "server_error"
    assert body["message"].startswith("Something went wrong on our side")
    assert "try again in a minute" in body["message"]


def test_any_other_failing_page_is_calm_and_in_the_site_style(monkeypatch) -> None:
    client = failing(monkeypatch, "pulse.anonymity_doc.anonymity_html")
    response = client.get("/anonymity/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    assert "please try again shortly" in page
    assert "pulse/site.css" in page
    assert "link still works" not in page  # only an answer page has a link to keep
    assert "default-src 'self'" in response["Content-Security-Policy"]


def wsgi_get(path: str) -> int:
    """A request through the WSGI application as a server makes it, with Django's
    request_started and request_finished doing their connection housekeeping (the test client
    turns that off)."""
    environ: dict = {"PATH_INFO": path, "HTTP_HOST": "testserver", "REQUEST_METHOD": "GET"}
    setup_testing_defaults(environ)
    statuses: list[str] = []

    def start_response(status: str, headers: list, exc_info: object = None) -> Callable:
        statuses.append(status)
        return lambda data: None

    result = application(environ, start_response)
    b"".join(result)
    result.close()  # request_finished
    return int(statuses[0].split()[0])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_first_request_after_the_database_dropped_a_kept_connection_is_answered() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("a server-side kill of the connection is PostgreSQL's")
    assert connection.settings_dict["CONN_MAX_AGE"] > 0, "connections are kept between requests"
    # An unknown link is looked up in the database: 404 means the database answered.
    assert wsgi_get("/api/v1/pulse/not-a-link-anyone-was-sent") == 404
    assert connection.connection is not None, "the connection is kept for the next request"
    kept_pid = connection.connection.info.backend_pid
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or "localhost",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname=db["NAME"],
        autocommit=True,
    ) as operator:
        # As a database restart does to every connection the web server holds.
        operator.execute("SELECT pg_terminate_backend(%s)", [kept_pid])
    assert wsgi_get("/api/v1/pulse/not-a-link-anyone-was-sent") == 404
    assert connection.connection is not None
    assert connection.connection.info.backend_pid != kept_pid
