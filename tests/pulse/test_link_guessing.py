"""A script trying links at random is stopped; the people it shares nothing with still answer,
and so do the people it shares an office network with."""

import logging

import pytest
from django.test import Client

from pulse.models import PendingBallot
from tests.anonymity.conftest import form_answers

pytestmark = [pytest.mark.django_db, pytest.mark.redis]

GUESSER = "203.0.113.9"
CLOSED_PORT_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        # Nothing listens on port 1: every cache call fails at once with "connection refused".
        "LOCATION": "redis://127.0.0.1:1/0",
        "KEY_PREFIX": "pulse",
    }
}


def guess_until_refused(client: Client) -> list[int]:
    return [client.get(f"/a/guess-number-{n:04d}-abcdefghijklmnop/").status_code for n in range(25)]


def test_a_guessing_loop_is_throttled_and_a_real_respondent_still_answers(
    survey, company, redis_client
) -> None:
    guesser = Client(REMOTE_ADDR=GUESSER)
    statuses = guess_until_refused(guesser)
    assert statuses[:20] == [404] * 20
    assert statuses[20:] == [429] * 5
    refused = guesser.get("/a/one-more-guess-abcdefghijklmnop/").content.decode()
    assert "try your link again in ten minutes" in refused
    api = guesser.get("/api/v1/pulse/another-guess-abcdefghijklmnopqrstu")
    assert api.status_code == 429
    assert api.json()["code"] == "throttled"
    posted = guesser.post(
        "/api/v1/pulse/posted-guess-abcdefghijklmnopqrstu", {}, content_type="application/json"
    )
    assert posted.status_code == 429
    # Everyone else answers as usual.
    colleague = Client(REMOTE_ADDR="198.51.100.7")
    own = survey.token(company["platform"][1].email)
    assert colleague.post(f"/a/{own}/", form_answers(survey, [5, 5, 5, 5])).status_code == 200
    assert PendingBallot.objects.count() == 1
    # The counter is in Redis, expires, and its key holds no address.
    keys = [key.decode() for key in redis_client.scan_iter("pulse:*unknown-links*")]
    assert len(keys) == 1 and GUESSER not in keys[0]
    assert 0 < redis_client.ttl(keys[0]) <= 600


def test_a_valid_link_from_an_address_over_the_limit_is_still_answered(survey, company) -> None:
    # The guesser shares an office NAT with the engineers: their links still work, on the page
    # and over the API, and their answers are taken.
    office = Client(REMOTE_ADDR=GUESSER)
    assert guess_until_refused(office)[-1] == 429
    first, second, third = (survey.token(p.email) for p in company["platform"][:3])
    assert office.get(f"/a/{first}/").status_code == 200
    assert office.post(f"/a/{first}/", form_answers(survey, [5, 5, 5, 5])).status_code == 200
    assert office.get(f"/api/v1/pulse/{second}").status_code == 200
    questions = office.get(f"/api/v1/pulse/{third}").json()["questions"]
    body = {"answers": {q["key"]: 4 for q in questions}, "enps": 8, "comment": ""}
    posted = office.post(f"/api/v1/pulse/{third}", body, content_type="application/json")
    assert posted.status_code == 201, posted.content
    assert PendingBallot.objects.count() == 2
    # A used link is told so calmly, not refused as a guess.
    assert office.get(f"/a/{first}/").status_code == 410


def test_valid_links_never_count_against_a_busy_office(survey, company) -> None:
    office = Client(REMOTE_ADDR="192.0.2.1")
    for person in company["platform"][:25]:
        assert office.get(f"/a/{survey.token(person.email)}/").status_code == 200
    assert office.get("/a/a-typo-in-the-link-abcdefghijklmnop/").status_code == 404


def test_with_redis_down_people_still_answer_and_one_warning_names_no_one(
    survey, company, settings, caplog
) -> None:
    settings.CACHES = CLOSED_PORT_CACHE
    visitor = Client(REMOTE_ADDR=GUESSER)
    token = survey.token(company["platform"][0].email)
    api_token = survey.token(company["platform"][1].email)
    with caplog.at_level(logging.WARNING, logger="pulse.abuse"):
        assert visitor.get(f"/a/{token}/").status_code == 200
        assert visitor.get(f"/api/v1/pulse/{api_token}").status_code == 200
        # Unknown links are answered with the calm 404, uncounted, as long as Redis is away.
        assert guess_until_refused(visitor) == [404] * 25
        assert visitor.get("/api/v1/pulse/another-guess-abcdefghijklmnopqrstu").status_code == 404
        assert visitor.post(f"/a/{token}/", form_answers(survey, [5, 5, 5, 5])).status_code == 200
    assert PendingBallot.objects.count() == 1
    warnings = [record for record in caplog.records if record.name == "pulse.abuse"]
    assert len(warnings) == 1
    message = warnings[0].getMessage()
    assert "unreachable" in message
    assert GUESSER not in message and token not in message and "/a/" not in message
