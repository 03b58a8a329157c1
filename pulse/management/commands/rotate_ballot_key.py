from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pulse.key_rotation import rotate_ballot_key


class Command(BaseCommand):
    help = (
        "Move to a new PULSE_BALLOT_KEY without losing answers: sweep what is due, then seal "
        "every waiting ballot again under the new key. Run where the sweep runs, with the new "
        "key in PULSE_BALLOT_KEY and the old one in PULSE_BALLOT_KEY_PREVIOUS."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            waiting = rotate_ballot_key()
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Every waiting ballot ({waiting}) is now sealed under the new key. Give the web "
            "processes the new PULSE_BALLOT_PUBLIC_KEY (manage.py ballot_public_key); "
            "PULSE_BALLOT_KEY_PREVIOUS can then be removed."
        )
