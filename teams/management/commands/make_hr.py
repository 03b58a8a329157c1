"""make_hr EMAIL [--password [PASSWORD]] [--person ID | --outside-org-chart]: give someone an HR
admin login, and say who is behind it (teams.hr_identity)."""

import getpass
import sys
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse

from teams.accounts import ensure_login, normalise_email
from teams.hr_identity import (
    CannotSayOutsideOrgChart,
    is_outside_org_chart,
    person_of_login,
    say_outside_org_chart,
)
from teams.models import Person

ASK = object()


class Command(BaseCommand):
    help = (
        "Create or update the HR admin login for EMAIL: staff, in the HR group, linked to the "
        "person with that email, or to the person --person names. A login that names nobody "
        "reads no result of a survey that closes meanwhile, unless --outside-org-chart says "
        "it is nobody in the org chart."
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
        who = parser.add_mutually_exclusive_group()
        who.add_argument(
            "--person",
            metavar="EMPLOYEE_ID_OR_EMAIL",
            help="the person this login is, when the login's email is not theirs",
        )
        who.add_argument(
            "--outside-org-chart",
            action="store_true",
            help="this login is nobody in the org chart (an outside adviser, the operator); "
            "recorded in the audit log",
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

        # All or nothing: a statement refused leaves no login behind.
        with transaction.atomic():
            person = self.named_person(options["person"], email) if options["person"] else None
            login = ensure_login(email=email, password=password, hr=True, person=person)
            if options["outside_org_chart"]:
                try:
                    say_outside_org_chart(user=login.user, actor=None)
                except CannotSayOutsideOrgChart as error:
                    raise CommandError(f"{error} Leave out --outside-org-chart.") from error
        verb = "Created" if login.created else "Updated"
        person = person_of_login(login.user)
        outside = person is None and is_outside_org_chart(login.user)
        if person is not None:
            who = f", linked to {person.name}"
        else:
            who = ", outside the org chart" if outside else ", not linked to a person"
        self.stdout.write(self.style.SUCCESS(f"{verb} HR admin {login.user.username}{who}."))
        if person is None and not outside:
            self.stdout.write(
                self.style.WARNING(
                    "It names nobody in the org chart, so it will not read the results of a "
                    "survey that closes while it does: the results are protected against the "
                    "answers of the people behind the HR logins, and this one's are unknown. "
                    "Give --person EMPLOYEE_ID_OR_EMAIL, or --outside-org-chart if nobody in "
                    "the org chart is behind it. A person imported later with this email is "
                    "found by it."
                )
            )
        if login.user.has_usable_password():
            admin_url = settings.PULSE_BASE_URL + reverse("admin:index")
            self.stdout.write(f"Log in at {admin_url}")
        else:
            self.stdout.write(
                f"No password yet: run `python manage.py make_hr {email} --password` to set one."
            )

    def named_person(self, wanted: str, email: str) -> Person:
        people = Person.objects.on_chart().select_related("user")
        wanted = wanted.strip()
        person = (
            people.filter(employee_id=wanted).first() or people.filter(email__iexact=wanted).first()
        )
        if person is None:
            raise CommandError(f"Nobody in the org chart has the employee id or email {wanted!r}.")
        if person.user is not None and person.user.get_username() != email:
            raise CommandError(
                f"{person.name} already logs in as {person.user.get_username()}: make that "
                f"login HR instead (make_hr {person.user.get_username()})."
            )
        return person

    def ask_password(self) -> str:
        if not sys.stdin.isatty():
            raise CommandError("Give the password as --password PASSWORD when not in a terminal.")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The passwords did not match.")
        return first
