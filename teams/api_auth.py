"""How scripts log in to the API: a personal token (Bearer), or a password (HTTP Basic).

Both are listed before the browser's session in REST_FRAMEWORK's DEFAULT_AUTHENTICATION_CLASSES,
so a request with no credentials gets 401 with `WWW-Authenticate: Bearer` (DRF answers 403 when
the first class names no scheme).

A password over Basic auth counts against the same limits as the login page (allauth's
ACCOUNT_RATE_LIMITS["login_failed"]: per client address and per login), checked before any
password is hashed, and is checked by one backend only, so a wrong one costs one hash.
"""

from allauth.account.adapter import get_adapter
from allauth.core.internal import ratelimit
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import User
from django.http import HttpRequest
from rest_framework import exceptions
from rest_framework.authentication import (
    BaseAuthentication,
    BasicAuthentication,
    get_authorization_header,
)
from rest_framework.request import Request

from teams.api_tokens import user_of_token

TOO_MANY_FAILED_LOGINS = (
    "Too many failed logins from this address or for this login; try again in a few minutes."
)
# The longest window of the default login_failed limits (config.settings): when to try again.
RETRY_AFTER_SECONDS = 300


class LoginAttemptsExceeded(exceptions.Throttled):
    default_code = "too_many_login_attempts"


def authenticate_password(request: HttpRequest, *, login: str, password: str) -> User | None:
    """The API's password check: allauth's failed-login limits, then one password hash.

    The steps of allauth's own login (DefaultAccountAdapter.pre_authenticate and
    authenticate), with two differences: GET requests count too (allauth's page is only ever
    POSTed to, so its limits skip GETs; a script's are mostly GETs), and one backend checks the
    password instead of every one in AUTHENTICATION_BACKENDS: ModelBackend hashes once, also
    for an unknown login. Logins are usernames, which are work emails (teams.accounts), so a
    login's limit is the same counter as the login page's for that email.
    """
    key = get_adapter(request)._get_login_attempts_cache_key(request, username=login)
    usage = ratelimit.consume(
        request, app="allauth.account", action="login_failed", key=key, limit_get=True
    )
    if not usage:
        raise LoginAttemptsExceeded(detail=TOO_MANY_FAILED_LOGINS, wait=RETRY_AFTER_SECONDS)
    user = ModelBackend().authenticate(request, username=login, password=password)
    if user is None:
        return None
    # As allauth does: a success takes back its own count, without wiping earlier failures.
    usage.rollback()
    return user if isinstance(user, User) else None


class RateLimitedBasicAuthentication(BasicAuthentication):
    """HTTP Basic auth with the login page's limits (authenticate_password)."""

    def authenticate_credentials(
        self, userid: str, password: str, request: HttpRequest | None = None
    ) -> tuple[AbstractBaseUser, None]:
        if request is None:  # DRF always passes the request; the signature allows none
            raise exceptions.AuthenticationFailed("Invalid username/password.")
        # DRF hands over its Request; allauth's limits read the Django request beneath it.
        django_request = getattr(request, "_request", request)
        user = authenticate_password(django_request, login=userid, password=password)
        if user is None:
            raise exceptions.AuthenticationFailed("Invalid username/password.")
        return user, None


class ApiTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <token>`, with a token from the profile page (teams.api_tokens)."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[User, None] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Send the token as `Authorization: Bearer <token>`, with nothing else."
            )
        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError:
            token = ""
        user = user_of_token(token)
        if user is None:
            raise exceptions.AuthenticationFailed(
                "This API token is not valid: it may have been revoked. "
                "Create a new one on your profile page."
            )
        return user, None

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'
