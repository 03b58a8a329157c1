"""Whatever a client sends, the API answers with a 4xx that says what is wrong: JSON nested
100,000 deep, or just deeper than any request needs. (The answer link's own cases, and the
query strings, are in tests/pulse/test_bad_input.py.)"""

import json

import pytest
from django.test import Client

from teams.models import Person
from tests.test_api_errors import error_of

pytestmark = pytest.mark.django_db

DEEP = "[" * 100_000 + "]" * 100_000


def nested(depth: int) -> str:
    return '{"a": ' * (depth - 1) + "{}" + "}" * (depth - 1)


def post_json(client, path: str, body: str):
    """`body` exactly as given, so it can be malformed."""
    return client.generic("POST", path, body, content_type="application/json")


def test_json_nested_100000_deep_is_refused_by_every_endpoint_that_reads_json(hr) -> None:
    for path in ("/api/v1/cadences/", "/api/v1/org/import", "/api/v1/pulse/some-link"):
        client = Client() if path.startswith("/api/v1/pulse/") else hr
        body = error_of(post_json(client, path, DEEP), 400)
        assert body["code"] == "too_deep", path
        assert "nested more than 20 levels deep" in body["message"], path
    assert not Person.objects.exists()


def test_json_just_too_deep_to_be_sensible_is_refused_like_the_very_deep(hr) -> None:
    assert error_of(post_json(hr, "/api/v1/cadences/", nested(21)), 400)["code"] == "too_deep"
    # Twenty levels is still read, and then refused for what it says.
    body = error_of(post_json(hr, "/api/v1/cadences/", json.dumps({"name": nested(20)})), 400)
    assert body["code"] == "invalid"


def test_broken_json_still_says_where_it_broke(hr) -> None:
    body = error_of(post_json(hr, "/api/v1/cadences/", '{"name": "x",'), 400)
    assert body["code"] == "parse_error"
    assert "line 1 column 14" in body["message"]
