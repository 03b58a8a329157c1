from django.core.management.base import BaseCommand

from surveys.scheduler import run_tick


class Command(BaseCommand):
    help = "Run one scheduler pass in-process: open, remind, close and send (what beat runs)."

    def handle(self, *args: object, **options: object) -> None:
        report = run_tick()
        self.stdout.write(
            f"launched {len(report.launched)} cycle(s), closed {len(report.closed)}, "
            f"reminder waves {len(report.reminder_waves)}, "
            f"emails sent {report.emails_sent}, failed {report.emails_failed}"
        )
