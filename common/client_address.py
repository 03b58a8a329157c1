"""Which address a request came from: one answer for every limit that counts per client.

Link guessing (pulse.abuse) and failed logins (allauth's rate limits, on the web and over the
API) must count the same client, or a proxy in front would make every visitor look like one
(and one guessing script lock a whole office out of logging in).
"""

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The address in PULSE_CLIENT_ADDRESS_HEADER (REMOTE_ADDR unless a proxy sets another)."""
    header = settings.PULSE_CLIENT_ADDRESS_HEADER
    address = request.META.get(header, "") or request.META.get("REMOTE_ADDR", "")
    # Behind a proxy the header is a list; the proxy appends the address it saw last.
    return str(address).split(",")[-1].strip()
