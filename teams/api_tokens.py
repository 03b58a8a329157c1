"""Personal API tokens: how a manager's or HR's script calls the API without a password.

A token is `pulse_` followed by 256 random bits (URL-safe base64). The database keeps only its
SHA-256 digest: a 256-bit secret cannot be guessed from a digest, so no key is needed, and a
stolen backup lets no one call the API. The token is shown once, when it is created; revoking
deletes the row, after which the token authenticates nobody.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.utils import timezone

from teams.models import ApiToken
from teams.roles import is_hr, led_team

TOKEN_PREFIX = "pulse_"  # noqa: S105  (a marker for secret scanners, not a secret)
NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length or 100
# A token in active use is written to at most once per this long, not on every request.
LAST_USED_PRECISION = timedelta(minutes=1)
MOST_TOKENS_PER_LOGIN = 20


class TokenRefused(Exception):
    """What was asked cannot be done; the message says why, for the person who asked."""


@dataclass(frozen=True)
class TokenListing:
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None


@dataclass(frozen=True)
class NewToken:
    listing: TokenListing
    token: str  # the only time it exists outside the client


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def may_hold_tokens(user: AbstractBaseUser | AnonymousUser) -> bool:
    """API tokens are for the people the API answers: HR admins and managers."""
    return isinstance(user, User) and user.is_active and (is_hr(user) or led_team(user) is not None)


def listing_of(token: ApiToken) -> TokenListing:
    return TokenListing(
        id=token.pk, name=token.name, created_at=token.created_at, last_used_at=token.last_used_at
    )


def tokens_of(user: User) -> list[TokenListing]:
    """The user's own tokens, newest first; never anyone else's."""
    return [listing_of(token) for token in ApiToken.objects.filter(user=user)]


@transaction.atomic
def create_token(*, user: User, name: str) -> NewToken:
    name = name.strip()
    if not may_hold_tokens(user):
        raise TokenRefused("API tokens are for HR admins and managers.")
    if not name:
        raise TokenRefused("Give the token a name, such as the script that will use it.")
    if len(name) > NAME_MAX_LENGTH:
        raise TokenRefused(f"A token's name has at most {NAME_MAX_LENGTH} characters.")
    # Counting under the user's row lock: two concurrent creations cannot both pass the limit.
    User.objects.select_for_update().filter(pk=user.pk).first()
    if ApiToken.objects.filter(user=user).count() >= MOST_TOKENS_PER_LOGIN:
        raise TokenRefused(
            f"You have {MOST_TOKENS_PER_LOGIN} tokens, the most one login may hold: "
            "revoke one you no longer use first."
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    stored = ApiToken.objects.create(
        user=user, name=name, digest=digest_of(token), created_at=timezone.now()
    )
    return NewToken(listing=listing_of(stored), token=token)


@transaction.atomic
def revoke_token(*, user: User, token_id: int) -> bool:
    """Delete one of the user's own tokens; False when they have no token with that id."""
    deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    return deleted > 0


def user_of_token(token: str) -> User | None:
    """The active user a presented token belongs to (None if unknown, revoked or inactive),
    noting when it was last used."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    stored = ApiToken.objects.select_related("user").filter(digest=digest_of(token)).first()
    if stored is None or not stored.user.is_active:
        return None
    now = timezone.now()
    if stored.last_used_at is None or stored.last_used_at < now - LAST_USED_PRECISION:
        # A conditional update: concurrent calls write once, and none waits on another.
        ApiToken.objects.filter(pk=stored.pk, last_used_at=stored.last_used_at).update(
            last_used_at=now
        )
    return stored.user
