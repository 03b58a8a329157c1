from django.core.management.base import BaseCommand, CommandError, CommandParser

from pulse.sweep import sweep
from surveys.closing import close_now
from surveys.models import Cycle, StuckReason


class Command(BaseCommand):
    help = (
        "Close a cycle now, before its window ends, and store its waiting answers where close "
        "counted them (the next scheduler pass releases the results)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("cycle_id", type=int)

    def handle(self, *args: object, cycle_id: int, **options: object) -> None:
        cycle = Cycle.objects.filter(pk=cycle_id).first()
        if cycle is None:
            raise CommandError(f"There is no cycle with id {cycle_id}.")
        if not close_now(cycle_id=cycle_id, actor=None):  # the command line
            raise CommandError(f"Cycle {cycle_id} ({cycle}) is already closed.")
        # At once, not at the next scheduler pass: until the sweep, the waiting sealed answers
        # still carry their own unit, which close may have just counted upwards.
        sweep()
        self.stdout.write(f"Closed cycle {cycle_id} ({cycle}).")
        cycle.refresh_from_db()
        if cycle.stuck_reason == StuckReason.STORING:
            self.stderr.write(
                "Storing its answers failed (the log names the unit and the error's type); "
                "nothing is lost, and each scheduler pass tries again."
            )
