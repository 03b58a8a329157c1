from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from surveys.launch import LaunchError, launch_now
from surveys.models import Cadence


class Command(BaseCommand):
    help = "Launch the current period's cycle of a cadence now."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("cadence_id", type=int)

    def handle(self, *args: object, cadence_id: int, **options: object) -> None:
        cadence = Cadence.objects.filter(pk=cadence_id).first()
        if cadence is None:
            raise CommandError(f"There is no cadence with id {cadence_id}.")
        try:
            cycle = launch_now(cadence=cadence, now=timezone.now(), actor=None)
        except LaunchError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Launched cycle {cycle.pk} ({cycle}) with {cycle.invited_count} invitations; "
            f"it closes {cycle.closes_at:%Y-%m-%d %H:%M} UTC. Emails go out on the next tick."
        )
