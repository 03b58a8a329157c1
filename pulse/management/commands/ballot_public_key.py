from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from pulse.sealing import private_key_from_secret, public_key_text


class Command(BaseCommand):
    help = (
        "Print the PULSE_BALLOT_PUBLIC_KEY that belongs to this PULSE_BALLOT_KEY. Web processes "
        "need only the public key; give the private one to the worker that sweeps."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.PULSE_BALLOT_KEY:
            raise CommandError("PULSE_BALLOT_KEY is not set here: run this where the sweep runs.")
        self.stdout.write(public_key_text(private_key_from_secret(settings.PULSE_BALLOT_KEY)))
