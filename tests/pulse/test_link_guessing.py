"""A script trying links at random is stopped; the people it shares nothing with still answer."""

import pytest
from django.test import Client

from pulse.models import PendingBallot
from tests.anonymity.conftest import form_answers

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


def test_a_guessing_loop_is_throttled_and_a_real_respondent_still_answers(
    survey, company, redis_client, settings
) -> None:
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [
        guesser.get(f"/a/guess-number-{n:04d}-abcdefghijklmnop/").status_code for n in range(25)
    ]
    assert statuses[:20] == [404] * 20
    assert statuses[20:] == [429] * 5
    api = guesser.get("/api/v1/pulse/another-guess-abcdefghijklmnopqrstu")
    assert api.status_code == 429
    # Even a right link is refused to the throttled client for now…
    token = survey.token(company["platform"][0].email)
    assert guesser.get(f"/a/{token}/").status_code == 429
    # …while everyone else answers as usual, and the refused link still works later.
    colleague = Client(REMOTE_ADDR="198.51.100.7")
    own = survey.token(company["platform"][1].email)
    assert colleague.post(f"/a/{own}/", form_answers(survey, [5, 5, 5, 5])).status_code == 200
    assert PendingBallot.objects.count() == 1
    # The counter is in Redis, expires, and its key holds no address.
    keys = [key.decode() for key in redis_client.scan_iter("pulse:*unknown-links*")]
    assert len(keys) == 1 and "203.0.113.9" not in keys[0]
    assert 0 < redis_client.ttl(keys[0]) <= 600


def test_valid_links_never_count_against_a_busy_office(survey, company) -> None:
    office = Client(REMOTE_ADDR="192.0.2.1")
    for person in company["platform"][:25]:
        assert office.get(f"/a/{survey.token(person.email)}/").status_code == 200
