"""Schemathesis fuzzes every operation of /api/schema/ as HR: nothing may answer with a server
error; every refusal is a 4xx with the API's error body: a code and a message."""

import base64
from collections.abc import Iterator

import pytest
import schemathesis
from django.contrib.auth.models import User
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from config.wsgi import application
from teams.roles import ensure_hr_group

# Reading the schema needs no database: it is generated from the code.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
HR_LOGIN = ("hannah.fuzz", "fuzz-password-1")


@pytest.fixture
def hr_login(db) -> Iterator[tuple[str, str]]:
    user = User.objects.create_user(*HR_LOGIN)
    user.groups.add(ensure_hr_group())
    # Requests go through the real WSGI application; like Django's test client, keep it from
    # closing the test's database connection at the end of each request.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield HR_LOGIN
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_api_operation_answers_with_a_server_error(case, hr_login) -> None:
    credentials = base64.b64encode(":".join(hr_login).encode()).decode()
    case.headers = {**(case.headers or {}), "Authorization": f"Basic {credentials}"}
    response = case.call()
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path}: {response.status_code}"
    )
    if 400 <= response.status_code < 500:
        # Every refusal has the one error body (config.api_errors), the answer endpoint's too.
        body = response.json()
        assert set(body) >= {"code", "message", "fields"}, body
        assert body["code"] and body["message"], body
