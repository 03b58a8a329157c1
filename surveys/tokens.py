"""Answer-link tokens: 256 random bits; the database keeps only a keyed digest.

The key (PULSE_TOKEN_KEY) lives in the environment, not in the database and not SECRET_KEY, so a
database dump alone cannot test a guessed or leaked link against the stored digests.
"""

import hashlib
import hmac
import secrets

from django.conf import settings

TOKEN_BYTES = 32
# token_urlsafe(32) gives 43 characters; anything far off that is not one of ours.
TOKEN_MAX_LENGTH = 64


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(token: str, key: str | None = None) -> bytes:
    secret = (key or settings.PULSE_TOKEN_KEY).encode()
    return hmac.new(secret, token.encode(), hashlib.sha256).digest()


def candidate_digests(token: str) -> list[bytes]:
    """The digest under the current key, and under the previous one during a key rotation, so
    links emailed before the rotation keep working until their cycle closes."""
    digests = [token_digest(token)]
    if settings.PULSE_TOKEN_KEY_PREVIOUS:
        digests.append(token_digest(token, settings.PULSE_TOKEN_KEY_PREVIOUS))
    return digests


def looks_like_token(token: str) -> bool:
    return 0 < len(token) <= TOKEN_MAX_LENGTH and token.isascii()
