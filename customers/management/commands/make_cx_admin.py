"""make_cx_admin EMAIL: give someone the CX admin role (customer metrics, nothing else)."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from customers.roles import ensure_cx_admin_group
from teams.accounts import normalise_email


class Command(BaseCommand):
    help = (
        "Make the existing login EMAIL a CX admin: staff (for the admin), in the CX admin "
        "group, so they can define customer metrics and import their values. Give the person "
        "a login first (an invitation, or make_hr for HR)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="the login's email (its username)")
        parser.add_argument(
            "--remove", action="store_true", help="take the role away instead of granting it"
        )

    def handle(self, *args: Any, email: str, **options: Any) -> None:
        user = get_user_model().objects.filter(username__iexact=normalise_email(email)).first()
        if user is None:
            raise CommandError(f"No login is called {email!r}; invite the person first.")
        group = ensure_cx_admin_group()
        if options["remove"]:
            user.groups.remove(group)
            self.stdout.write(self.style.SUCCESS(f"{user.username} is no longer a CX admin."))
            return
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        user.groups.add(group)
        self.stdout.write(self.style.SUCCESS(f"{user.username} is a CX admin."))
