"""make_hr EMAIL [--password [PASSWORD]]: give someone an HR admin login."""

import getpass
import sys
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.urls import reverse

from teams.accounts import ensure_login, normalise_email

ASK = object()


class Command(BaseCommand):
    help = (
        "Create or update the HR admin login for EMAIL: staff, in the HR group, linked to the "
        "person with that email if there is one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="work email; it is also the username")
        parser.add_argument(
            "--password",
            nargs="?",
            const=ASK,
            default=None,
            metavar="PASSWORD",
            help="set this password; without a value, ask for it. Omitted: keep the current one.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        email = normalise_email(options["email"])
        try:
            validate_email(email)
        except ValidationError as error:
            raise CommandError(f"{options['email']!r} is not an email address.") from error

        password = options["password"]
        if password is ASK:
            password = self.ask_password()
        if password is not None:
            user_model = get_user_model()
            try:
                validate_password(password, user=user_model(username=email, email=email))
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error

        login = ensure_login(email=email, password=password, hr=True)
        verb = "Created" if login.created else "Updated"
        linked = f", linked to {login.person.name}" if login.person else ", not linked to a person"
        self.stdout.write(self.style.SUCCESS(f"{verb} HR admin {login.user.username}{linked}."))
        if login.user.has_usable_password():
            admin_url = settings.PULSE_BASE_URL + reverse("admin:index")
            self.stdout.write(f"Log in at {admin_url}")
        else:
            self.stdout.write(
                f"No password yet: run `python manage.py make_hr {email} --password` to set one."
            )

    def ask_password(self) -> str:
        if not sys.stdin.isatty():
            raise CommandError("Give the password as --password PASSWORD when not in a terminal.")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The passwords did not match.")
        return first
