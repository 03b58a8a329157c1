"""HR invites managers to log in: a login for the person, and an email to set a password.

The email is allauth's password-reset message, so the link is single-use and expires; the
manager can also log in later with an emailed code instead of a password.
"""

from allauth.account.forms import ResetPasswordForm
from django.http import HttpRequest

from teams.accounts import ensure_login
from teams.models import Person


def invite_to_log_in(*, request: HttpRequest, person: Person) -> None:
    ensure_login(email=person.email)
    form = ResetPasswordForm(data={"email": person.email})
    if form.is_valid():
        form.save(request)
