from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pulse.key_rotation import rotate_ballot_key


class Command(BaseCommand):
    help = (
        "Move to a new PULSE_BALLOT_KEY without losing answers: flush every due batch, then "
        "seal the remaining pending ballots again under the new key. Run with the new key in "
        "PULSE_BALLOT_KEY and the old one in PULSE_BALLOT_KEY_PREVIOUS."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = rotate_ballot_key()
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Flushed {report.flushed} ballots into the response store and sealed "
            f"{report.resealed} waiting ones under the new key. "
            "PULSE_BALLOT_KEY_PREVIOUS can now be removed."
        )
