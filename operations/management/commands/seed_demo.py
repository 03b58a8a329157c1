"""seed_demo [--if-empty]: load the demo organisation and survey settings, print the logins.

It lives in operations, the composition root, because the demo spans every app."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.urls import reverse

from operations.demo import seed_demo_customer_metrics, seed_demo_results
from surveys.demo import seed_demo_cadences
from teams.demo import DemoLogin, existing_demo_logins, seed_demo_org
from teams.models import Person


class Command(BaseCommand):
    help = (
        "Create (or bring back) a demo organisation of 177 people in 24 teams, an HR admin, "
        "two manager logins, a monthly and a quarterly cadence, two released past cycles of "
        "synthetic answers, and customer metrics per team for their months. Running it again "
        "changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="seed only when there are no people yet; otherwise print the demo logins "
            "that exist (scripts/run uses this, so a real org chart is never mixed with demo data)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Person.objects.exists():
            logins = existing_demo_logins()
            if not logins:
                count = Person.objects.count()
                self.stdout.write(f"The database holds {count} people; no demo data added.")
                return
        else:
            org = seed_demo_org()
            cadences = seed_demo_cadences()
            results = seed_demo_results(cadence=cadences[0])
            seed_demo_customer_metrics(cycles=results)
            logins = org.logins
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo organisation: {len(org.people)} people in {len(org.teams)} teams; "
                    f"cadences: {', '.join(cadence.name for cadence in cadences)}; "
                    f"released results of {len(results)} past cycles, with customer metrics."
                )
            )
        self.print_logins(logins)

    def print_logins(self, logins: list[DemoLogin]) -> None:
        admin_url = settings.PULSE_BASE_URL + reverse("admin:index")
        width = max(len(login.username) for login in logins)
        self.stdout.write("Demo logins:")
        for login in logins:
            leads = f"  (leads {login.led_team.name})" if login.led_team else ""
            self.stdout.write(
                f"  {login.role:<9} {login.username:<{width}}  password: {login.password}{leads}"
            )
        self.stdout.write(f"Admin, for the HR admin: {admin_url}")
        self.stdout.write("Managers are not staff: their login does not open the admin.")
