from typing import Any

from django.core.management.base import BaseCommand

from pulse.scheduler import run_pulse_tick
from surveys.scheduler import run_tick


class Command(BaseCommand):
    help = (
        "Run one scheduler pass in-process, the same code beat runs: open, remind, close and "
        "send surveys; move ballot batches into the response store; release closed cycles."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        surveys = run_tick()
        pulse = run_pulse_tick()
        self.stdout.write(
            f"launched {len(surveys.launched)} cycle(s), closed {len(surveys.closed)}, "
            f"reminder waves {len(surveys.reminder_waves)}, emails sent {surveys.emails_sent}, "
            f"failed {surveys.emails_failed}; released {len(pulse.released)} cycle(s)"
        )
