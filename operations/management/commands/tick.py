from typing import Any

from django.core.management.base import BaseCommand

from operations.scheduler import run_full_tick


class Command(BaseCommand):
    help = (
        "Run one scheduler pass in-process, the same code beat runs: open, remind, close and "
        "send surveys; sweep the waiting ballots; release closed cycles; email managers that "
        "their results are ready, and the one reminder to choose a focus."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = run_full_tick()
        surveys, pulse = report.surveys, report.pulse
        self.stdout.write(
            f"launched {len(surveys.launched)} cycle(s), closed {len(surveys.closed)}, "
            f"reminder waves {len(surveys.reminder_waves)}, emails sent {surveys.emails_sent}, "
            f"failed {surveys.emails_failed}; released {len(pulse.released)} cycle(s), "
            f"results emails {pulse.results_emails}, focus reminders {pulse.focus_reminders}"
        )
