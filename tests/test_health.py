"""/health/ tells a load balancer whether this process reaches its database and its broker."""

import pytest
from django.test import Client

from config.celery_app import app as celery_app

pytestmark = pytest.mark.django_db


def health(client: Client) -> tuple[int, dict[str, str]]:
    response = client.get("/health/", HTTP_ACCEPT="application/json")
    return response.status_code, response.json()


@pytest.mark.redis
def test_the_health_page_answers_without_a_login_when_database_and_broker_are_up(client) -> None:
    status, checks = health(client)
    assert status == 200, checks
    assert set(checks) == {"Database(alias='default')", "Broker()"}
    assert set(checks.values()) == {"OK"}


def test_the_health_page_fails_when_the_broker_is_down(client, monkeypatch) -> None:
    # Nothing listens on port 9 (discard) here: the broker is unreachable.
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:9/0")
    status, checks = health(client)
    assert status == 500
    assert checks["Broker()"] == "Unavailable: The broker does not accept connections."
    assert checks["Database(alias='default')"] == "OK"
    assert "127.0.0.1:9" not in str(checks)


def test_the_health_page_is_not_redirected_to_https_in_production(client, settings) -> None:
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/health/", HTTP_ACCEPT="application/json")
    assert response.status_code in (200, 500)
    assert response.status_code != 301
