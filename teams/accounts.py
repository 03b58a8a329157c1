"""Logins for the people who need one: HR admins and managers. Employees never log in.

A login is a Django user whose username is the work email, linked to the Person with that email
when there is one, so a manager's user leads to their team and an HR admin's to their record.
"""

from dataclasses import dataclass
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest

from common.client_address import client_address
from teams.models import Person
from teams.roles import ensure_hr_group, is_hr


class LoginOfSomeoneElse(Exception):
    """The address leads to an HR login linked to another person: it is not moved over."""


@dataclass(frozen=True)
class Login:
    user: AbstractUser
    person: Person | None
    created: bool


def normalise_email(email: str) -> str:
    # Addresses are compared case-insensitively everywhere; store one spelling as the username.
    return email.strip().lower()


@transaction.atomic
def ensure_login(
    *, email: str, password: str | None = None, hr: bool = False, person: Person | None = None
) -> Login:
    """Create or update the user who logs in as `email`, linked to `person` or, by default,
    to the person with that email.

    The user already linked to that person wins over one merely named like the email, so running
    this again (or after an import) updates the same user. `password=None` keeps the current
    password; a new user without one cannot log in until a password is set. `hr=True` makes the
    user staff (the admin needs it) and a member of the HR group; `hr=False` never takes those
    away, so giving a manager a login cannot demote an HR admin. A `person` given must not
    have a login of another name (make_hr refuses one): theirs would be renamed.
    """
    user_model = get_user_model()
    email = normalise_email(email)
    if person is None:
        # Two people whose addresses differ only in case: no guess (make_hr --person picks).
        found = list(Person.objects.select_related("user").filter(email__iexact=email)[:2])
        person = found[0] if len(found) == 1 else None
    user = person.user if person is not None and person.user is not None else None
    if user is None:
        user = user_model.objects.filter(username__iexact=email).first()
    created = user is None
    if user is None:
        user = user_model(username=email)

    user.email = email
    user.is_active = True
    if person is not None:
        first_name, _, last_name = person.name.partition(" ")
        user.first_name, user.last_name = first_name, last_name
    if hr:
        user.is_staff = True
    if password is not None:
        # Re-hash only on a real change, so re-running a seed leaves the row as it was.
        if not user.has_usable_password() or not user.check_password(password):
            user.set_password(password)
    elif created:
        user.set_unusable_password()
    user.save()

    if hr:
        user.groups.add(ensure_hr_group())
    if person is not None and person.user_id != user.pk:
        # One user per person: a user linked to someone else with an old address moves over;
        # but an HR login only when whoever runs make_hr says so (hr=True), since the release
        # counts the person it is linked to as a reader (teams.hr_identity).
        other = Person.objects.filter(user=user).exclude(pk=person.pk).first()
        if other is not None and not hr and is_hr(user):
            raise LoginOfSomeoneElse(
                f"{user.get_username()} is the HR login of {other.name} ({other.employee_id}):"
                f" give {person.name} another address, or ask whoever runs Pulse to link it"
                " with make_hr --person."
            )
        Person.objects.filter(user=user).exclude(pk=person.pk).update(user=None)
        person.user = user
        person.save(update_fields=["user"])
    return Login(user=user, person=person, created=created)


# allauth's "Successfully signed in as …" and "You have signed out": they say what the page
# already shows, and one left unread in the session greets the next page (even after logging out).
UNSAID_MESSAGES = frozenset({"account/messages/logged_in.txt", "account/messages/logged_out.txt"})


class InviteOnlyAccountAdapter(DefaultAccountAdapter):
    """No self-service sign-up: logins are for managers and HR, who are invited."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def add_message(
        self,
        request: HttpRequest,
        level: int,
        message_template: str | None = None,
        message_context: dict[str, Any] | None = None,
        extra_tags: str = "",
        message: str | None = None,
    ) -> None:
        if message_template in UNSAID_MESSAGES:
            return
        super().add_message(request, level, message_template, message_context, extra_tags, message)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # The sign-in code and forgotten-password emails name the product, not the host.
        super().send_mail(
            template_prefix, email, {"site_name": settings.PULSE_SITE_NAME, **context}
        )

    def get_client_ip(self, request: HttpRequest) -> str:
        # The address the link-guessing limit counts, so that behind a proxy failed logins are
        # counted per client too, not for the proxy (which would lock everyone out at once).
        address = client_address(request)
        if not address:
            raise PermissionDenied("Unable to determine client IP address")
        return address
