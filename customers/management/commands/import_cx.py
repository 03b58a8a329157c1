"""import_cx FILE.csv [--dry-run]"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from customers.services import import_values
from customers.value_file import ValueFileInvalid, ValueFileTooLarge, check_size, read_csv


class Command(BaseCommand):
    help = (
        "Import customer metric values per team and month from a CSV file with the columns "
        "team,period,metric,value and optionally volume (docs/cx-metrics.md). The whole file "
        "is checked first; if anything is wrong, every problem is listed and nothing is changed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="check and count, but change nothing"
        )

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            check_size(file.stat().st_size)  # before reading it into memory
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from error
        except ValueFileTooLarge as too_large:
            raise CommandError(f"{file}: {too_large}") from too_large
        try:
            records, problems = read_csv(data)
            summary = import_values(records=records, problems=problems, dry_run=options["dry_run"])
        except ValueFileInvalid as invalid:
            for problem in invalid.errors:
                self.stderr.write(f"{file}: {problem}")
            raise CommandError(f"{invalid.summary} found; nothing was imported.") from invalid
        self.stdout.write(self.style.SUCCESS(str(summary)))
