"""A script hammering the API with HR's credentials is slowed down with a clear 429."""

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework.throttling import UserRateThrottle

from teams.roles import ensure_hr_group


@pytest.mark.django_db
@pytest.mark.redis
def test_an_authenticated_client_over_its_rate_gets_429_with_a_retry_hint(
    monkeypatch, redis_client
) -> None:
    cache.clear()
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/minute"})
    hannah = User.objects.create_user("hannah", "hannah@example.com", "pw")
    hannah.groups.add(ensure_hr_group())
    client = APIClient()
    client.force_authenticate(hannah)
    statuses = [client.get("/api/v1/cadences/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/api/v1/cadences/")
    assert refused.json()["code"] == "throttled"
    assert "throttled" in refused.json()["message"].lower()
    assert int(refused["Retry-After"]) > 0
    # The counter lives in Redis, under the cache prefix, and expires.
    keys = [key.decode() for key in redis_client.scan_iter("pulse:*throttle*")]
    assert keys and all(redis_client.ttl(key) > 0 for key in keys)
