"""Throttling link guessing: too many unknown links from one client, and it is refused a while.

Counters live in Redis (the cache's server) with an expiry, keyed by a keyed hash of the client
address, so neither the database, the logs nor Redis hold an address. A valid link never counts
against anyone; only unknown ones do. Links carry 256 random bits, so guessing is hopeless
anyway: this keeps a guessing loop from costing the database anything.
"""

import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

WINDOW_SECONDS = 600
KEY_PREFIX = "unknown-links:"


def client_key(request: HttpRequest) -> str:
    header = settings.PULSE_CLIENT_ADDRESS_HEADER
    address = request.META.get(header, "") or request.META.get("REMOTE_ADDR", "")
    # Behind a proxy the header is a list; the proxy appends the address it saw last.
    address = address.split(",")[-1].strip()
    digest = hmac.new(settings.PULSE_TOKEN_KEY.encode(), address.encode(), hashlib.sha256)
    return KEY_PREFIX + digest.hexdigest()[:32]


def is_throttled(request: HttpRequest) -> bool:
    return int(cache.get(client_key(request)) or 0) >= settings.PULSE_UNKNOWN_LINK_LIMIT


def count_unknown_link(request: HttpRequest) -> None:
    # The window starts with the first unknown link and is not extended by later ones.
    key = client_key(request)
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # expired between the two calls: start a new window
        cache.add(key, 1, timeout=WINDOW_SECONDS)
