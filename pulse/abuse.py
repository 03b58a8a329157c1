"""Throttling link guessing: too many unknown links from one client, and it is refused a while.

Counters live in Redis (the cache's server) with an expiry, keyed by a keyed hash of the client
address, so neither the database, the logs nor Redis hold an address. A valid link never counts
against anyone; only unknown ones do. Links carry 256 random bits, so guessing is hopeless
anyway: this keeps a guessing loop from costing the database anything.
"""

import hashlib
import hmac
from functools import cache

import redis
from django.conf import settings
from django.http import HttpRequest

WINDOW_SECONDS = 600
KEY_PREFIX = "pulse:unknown-links:"


@cache
def counters() -> redis.Redis:
    """One client per process, shared by its threads (its pool is thread-safe).

    Every answer asks it first, so it talks to Redis directly: Django's cache API builds a new
    client object on each call, which cost more than the rest of the check together."""
    return redis.Redis.from_url(str(settings.CACHES["default"]["LOCATION"]))


def client_key(request: HttpRequest) -> str:
    header = settings.PULSE_CLIENT_ADDRESS_HEADER
    address = request.META.get(header, "") or request.META.get("REMOTE_ADDR", "")
    # Behind a proxy the header is a list; the proxy appends the address it saw last.
    address = address.split(",")[-1].strip()
    digest = hmac.new(settings.PULSE_TOKEN_KEY.encode(), address.encode(), hashlib.sha256)
    return KEY_PREFIX + digest.hexdigest()[:32]


def is_throttled(request: HttpRequest) -> bool:
    return int(counters().get(client_key(request)) or 0) >= settings.PULSE_UNKNOWN_LINK_LIMIT


def count_unknown_link(request: HttpRequest) -> None:
    # The window starts with the first unknown link and is not extended by later ones.
    with counters().pipeline() as both:
        both.set(client_key(request), 0, ex=WINDOW_SECONDS, nx=True)
        both.incr(client_key(request))
        both.execute()
