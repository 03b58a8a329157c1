"""HR invites managers to log in: a login for the person, and an email to set a password.

The email is allauth's password-reset message, so the link is single-use and expires; the
manager can also log in later with an emailed code instead of a password.
"""

from allauth.account.forms import ResetPasswordForm
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest

from teams.accounts import ensure_login
from teams.audit import record_event
from teams.models import AuditAction, Person


def invite_to_log_in(*, request: HttpRequest, person: Person, actor: User | None) -> None:
    """Send `person` the email to set a password; the audit log keeps that `actor` did."""
    with transaction.atomic():
        ensure_login(email=person.email)
        record_event(actor=actor, action=AuditAction.LOGIN_INVITED, subject=str(person))
    form = ResetPasswordForm(data={"email": person.email})
    if form.is_valid():
        form.save(request)
