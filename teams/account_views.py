"""A login's own pages: the profile page with its API tokens, and the admin's door.

The admin has no login form of its own: /admin/login/ sends people to the login page
(django-allauth), so every password typed into Pulse meets the same failed-login limits.
"""

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from teams.api_tokens import (
    NAME_MAX_LENGTH,
    NewToken,
    TokenRefused,
    create_token,
    may_hold_tokens,
    revoke_token,
    tokens_of,
)
from teams.roles import is_hr


def admin_login(request: HttpRequest) -> HttpResponse:
    """Replaces the admin's login form: log in on the login page, then go on to the admin."""
    wanted = request.GET.get(REDIRECT_FIELD_NAME, "")
    safe = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    # Never back to this address itself, which would go round in circles once logged in.
    loops = wanted.startswith(reverse("admin-login"))
    next_url = wanted if wanted and safe and not loops else reverse("admin:index")
    if not request.user.is_authenticated:
        return redirect_to_login(next_url, login_url=reverse("account_login"))
    if request.user.is_active and request.user.is_staff:
        return redirect(next_url)
    # Logged in, but not as someone the admin lets in: sending them to the login page would
    # only bounce them back here.
    return render(
        request,
        "teams/admin_refused.html",
        {"viewer_is_hr": is_hr(request.user)},
        status=403,
    )


def logged_in_user(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise Http404("No such page.")
    return request.user


def profile_page(
    request: HttpRequest,
    *,
    new_token: NewToken | None = None,
    error: str = "",
    name: str = "",
    status: int = 200,
) -> HttpResponse:
    user = logged_in_user(request)
    context = {
        "viewer_is_hr": is_hr(user),
        "may_hold_tokens": may_hold_tokens(user),
        "tokens": tokens_of(user),
        "new_token": new_token,
        "error": error,
        "name": name,
        "name_max_length": NAME_MAX_LENGTH,
    }
    return render(request, "teams/profile.html", context, status=status)


@never_cache
@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return profile_page(request)


@never_cache
@login_required
@require_POST
def create_api_token(request: HttpRequest) -> HttpResponse:
    # The new token is in this response only (never stored, not even in the session), so the
    # page answers the POST itself instead of redirecting; never_cache keeps it out of caches.
    name = request.POST.get("name", "")
    try:
        created = create_token(user=logged_in_user(request), name=name)
    except TokenRefused as refused:
        return profile_page(request, error=str(refused), name=name[:NAME_MAX_LENGTH], status=400)
    return profile_page(request, new_token=created, status=201)


@login_required
@require_POST
def revoke_api_token(request: HttpRequest, token_id: int) -> HttpResponse:
    # Someone else's token is as unknown as one that never existed.
    if not revoke_token(user=logged_in_user(request), token_id=token_id):
        raise Http404("No such token.")
    return redirect("profile")


def no_address_changes(request: HttpRequest) -> HttpResponse:
    """allauth's page for a login's email addresses is not served: a login's address is its
    person's work address, set by HR's invitation or make_hr. A login that could give itself a
    colleague's address would be linked to that colleague when a survey opens, and counted
    as them rather than as who answered (teams.hr_identity)."""
    raise Http404("A login's address is its person's work address; HR changes it.")
