"""Throttling link guessing: too many unknown links from one client, and it is refused a while.

Counters live in Redis (the cache's server) with an expiry, keyed by a keyed hash of the client
address, so neither the database, the logs nor Redis hold an address. Only unknown links count,
and only an unknown link is ever refused: the views look a link up first, so a valid link is
answered whatever else came from the same address (an office behind one NAT shares it).
Links carry 256 random bits, so guessing is hopeless anyway; this keeps a guessing loop from
costing more than one indexed lookup per guess.

The throttle fails open: with Redis unreachable, nothing is counted or refused, and answering
goes on. One warning is logged when the counters become unreachable (naming no address or
link), and none again until they have been reachable in between.
"""

import hashlib
import hmac
import logging

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from redis.exceptions import RedisError

from common.client_address import client_address

WINDOW_SECONDS = 600
KEY_PREFIX = "unknown-links:"
COUNTERS_UNREACHABLE = (RedisError, OSError)

logger = logging.getLogger(__name__)
warned_unreachable = False


def client_key(request: HttpRequest) -> str:
    address = client_address(request)
    digest = hmac.new(settings.PULSE_TOKEN_KEY.encode(), address.encode(), hashlib.sha256)
    return KEY_PREFIX + digest.hexdigest()[:32]


def is_over_unknown_link_limit(request: HttpRequest) -> bool:
    """Whether this client has tried too many unknown links lately; asked only about a link
    that turned out to be unknown."""
    try:
        count = int(cache.get(client_key(request)) or 0)
    except COUNTERS_UNREACHABLE:
        note_counters_unreachable()
        return False
    note_counters_reachable()
    return count >= settings.PULSE_UNKNOWN_LINK_LIMIT


def count_unknown_link(request: HttpRequest) -> None:
    # The window starts with the first unknown link and is not extended by later ones.
    key = client_key(request)
    try:
        cache.add(key, 0, timeout=WINDOW_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between the two calls: start a new window
            cache.add(key, 1, timeout=WINDOW_SECONDS)
    except COUNTERS_UNREACHABLE:
        note_counters_unreachable()
        return
    note_counters_reachable()


def refuse_unknown_link(request: HttpRequest) -> bool:
    """For a link that is unknown: True (refuse with 429) when its client is over the limit;
    otherwise the link is counted against the client and False (answer the calm 404)."""
    if is_over_unknown_link_limit(request):
        return True
    count_unknown_link(request)
    return False


def note_counters_unreachable() -> None:
    global warned_unreachable
    if not warned_unreachable:
        warned_unreachable = True
        logger.warning(
            "Link-guessing counters are unreachable (is the cache's Redis down?): "
            "unknown answer links are not throttled until it is back."
        )


def note_counters_reachable() -> None:
    global warned_unreachable
    warned_unreachable = False
