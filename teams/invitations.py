"""HR invites managers to log in: a login for the person, and Pulse's own email to set a password.

The link in the email is allauth's password-reset link (single use, expires, checked by
allauth's own view), so setting the password goes through the same code as a forgotten one and
ends signed in (ACCOUNT_LOGIN_ON_PASSWORD_RESET). The words are ours: who invited you, what you
will see, and that you can also sign in later with an emailed code instead of a password.
"""

from dataclasses import dataclass

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse

from teams.accounts import ensure_login
from teams.audit import record_event
from teams.models import AuditAction, Person, Team
from teams.roles import is_hr

TEXT_TEMPLATE = "teams/email/invitation.txt"
HTML_TEMPLATE = "teams/email/invitation.html"


@dataclass(frozen=True)
class InvitationWords:
    first_name: str
    inviter: str
    led_team: str | None
    hr: bool


def set_password_url(user: AbstractBaseUser) -> str:
    key = default_token_generator.make_token(user)
    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": key},
    )
    return settings.PULSE_BASE_URL + path


def inviter_name(user: AbstractBaseUser | AnonymousUser) -> str:
    if not user.is_authenticated:
        return f"Your {settings.PULSE_SITE_NAME} administrator"
    full_name = user.get_full_name().strip()  # type: ignore[attr-defined]
    return full_name or str(user.get_username())


def invitation_email(
    *, person: Person, link: str, inviter: str, hr: bool
) -> EmailMultiAlternatives:
    led_team = Team.objects.filter(manager=person).values_list("name", flat=True).first()
    context = {
        "words": InvitationWords(
            first_name=person.name.split()[0] if person.name.strip() else "there",
            inviter=inviter,
            led_team=led_team,
            hr=hr,
        ),
        "link": link,
        "site_name": settings.PULSE_SITE_NAME,
        "login_url": settings.PULSE_BASE_URL + reverse("account_login"),
    }
    message = EmailMultiAlternatives(
        subject=f"{inviter} invited you to {settings.PULSE_SITE_NAME}: set your password",
        body=render_to_string(TEXT_TEMPLATE, context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[person.email],
    )
    message.attach_alternative(render_to_string(HTML_TEMPLATE, context), "text/html")
    return message


def invite_to_log_in(*, request: HttpRequest, person: Person, actor: User | None) -> None:
    """Send `person` Pulse's email to set a password; the audit log keeps that `actor` did."""
    with transaction.atomic():
        login = ensure_login(email=person.email)
        record_event(actor=actor, action=AuditAction.LOGIN_INVITED, subject=str(person))
    message = invitation_email(
        person=person,
        link=set_password_url(login.user),
        inviter=inviter_name(request.user),
        hr=is_hr(login.user),
    )
    message.send()
