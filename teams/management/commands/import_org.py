"""import_org FILE.csv [--deactivate-missing] [--dry-run]"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from teams.import_progress import Stage
from teams.org_csv import parse_csv
from teams.org_problems import OrgFileInvalid, OrgFileTooLarge, check_size
from teams.services import import_org


class Command(BaseCommand):
    help = (
        "Load or update the org chart from a CSV file with the columns "
        "employee_id,email,name,manager_id and optionally team. The whole file is checked "
        "first; if anything is wrong, every problem is listed and nothing is changed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--deactivate-missing",
            action="store_true",
            help="deactivate active people who are not in the file (left alone otherwise)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check and count, but change nothing"
        )

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            check_size(file.stat().st_size)  # before reading it into memory
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from error
        except OrgFileTooLarge as too_large:
            raise CommandError(f"{file}: {too_large}") from too_large
        try:
            summary = import_org(
                rows=parse_csv(data, progress=self.report),
                deactivate_missing=options["deactivate_missing"],
                dry_run=options["dry_run"],
                actor=None,  # the command line
                progress=self.report,
            )
        except OrgFileInvalid as invalid:
            for problem in invalid.errors:
                self.stderr.write(f"{file}: {problem}")
            raise CommandError(f"{invalid.summary} found; nothing was imported.") from invalid
        self.stdout.write(self.style.SUCCESS(str(summary)))

    def report(self, stage: Stage, done: int, total: int) -> None:
        """How far a large file has got. Only the reports made along the way are printed (a
        file under teams.import_progress.REPORT_EVERY rows prints none): the summary or the
        problems say how it ended."""
        if done < total:
            self.stdout.write(f"{done:,} of {total:,} rows {stage}")  # read, checked, applied
