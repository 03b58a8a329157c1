"""Reading a file of customer-metric values (CSV or JSON) into records. Pure: no database.

The file's shape is checked here (header, encoding, fields per line); what the values mean (a
known team, metric and month, a number in range) is checked by customers.value_checks. Lines are
numbered as a spreadsheet shows them: the header is line 1. For JSON, the "line" is the 1-based
position in the list. Problems are reported as the org import reports them (teams.org_problems).
"""

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings

from teams.org_csv import NOT_UTF8_OR_NUL, csv_value_problem, json_value_problem
from teams.org_problems import ProblemLog, RowError, RowsInvalid, shortened

REQUIRED_COLUMNS = ("team", "period", "metric", "value")
OPTIONAL_COLUMNS = ("volume",)
EXPECTED = ",".join(REQUIRED_COLUMNS) + "[,volume]"


class ValueFileInvalid(RowsInvalid):
    """The org import's refusal (teams.org_problems.RowsInvalid), for a file of values."""

    what = "the file of customer metric values"


class ValueFileTooLarge(Exception):
    def __init__(self, size: int) -> None:
        limit = settings.PULSE_ORG_FILE_MAX_BYTES
        super().__init__(
            f"The file is {size:,} bytes; the import reads at most {limit:,} "
            "(PULSE_ORG_FILE_MAX_BYTES)."
        )


def check_size(size: int) -> None:
    """Values files share the org file's limit: both are one line per team (and month)."""
    if size > settings.PULSE_ORG_FILE_MAX_BYTES:
        raise ValueFileTooLarge(size)


@dataclass(frozen=True)
class Record:
    """One line of the file, its fields as text (JSON numbers are turned into text)."""

    line: int
    fields: dict[str, str]
    # Fields already reported as unreadable (a JSON value of the wrong type, a NUL): the
    # record's other fields are still checked, so every problem is reported at once.
    unreadable: frozenset[str] = frozenset()


def read_csv(data: bytes) -> tuple[list[Record], ProblemLog]:
    """The file's records, and the problems of its shape. A header that cannot be used raises
    ValueFileInvalid at once: no line can be read without it."""
    check_size(len(data))
    text = data.decode("utf-8", errors="surrogateescape").removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    has_unreadable_values = NOT_UTF8_OR_NUL.search(text) is not None
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise ValueFileInvalid([RowError(1, None, f"cannot be read as CSV ({error})")]) from None
    if header is None or not any(cell.strip() for cell in header):
        raise ValueFileInvalid(
            [RowError(1, None, f"the file is empty; expected a header: {EXPECTED}")]
        )
    unreadable = [
        RowError(1, f"{number}", f"the header {problem}")
        for number, cell in enumerate(header, start=1)
        if (problem := csv_value_problem(cell))
    ]
    if unreadable:
        raise ValueFileInvalid(unreadable)
    columns = [cell.strip() for cell in header]
    errors = ProblemLog(header_errors(columns))
    if errors.count:
        raise ValueFileInvalid(errors)

    records: list[Record] = []
    while True:
        try:
            values = next(reader, None)
        except csv.Error as error:
            errors.add(RowError(reader.line_num, None, f"cannot be read as CSV ({error})"))
            break
        if values is None:
            break
        line = reader.line_num
        if not any(value.strip() for value in values):
            continue  # blank lines, often at the end of an export
        problems = (
            [
                RowError(line, column, problem)
                for column, value in zip(columns, values, strict=False)
                if (problem := csv_value_problem(value))
            ]
            if has_unreadable_values
            else []
        )
        if len(values) != len(columns):
            problems.append(
                RowError(
                    line,
                    None,
                    f"has {len(values)} fields, but the header has {len(columns)} "
                    f"({', '.join(columns)})",
                )
            )
        if problems:
            errors.extend(problems)
            continue
        records.append(Record(line, dict(zip(columns, values, strict=True))))
    return records, errors


def read_json(items: list[object]) -> tuple[list[Record], ProblemLog]:
    """Records of a JSON list of objects with the CSV's keys; numbers may be JSON numbers."""
    errors = ProblemLog()
    records: list[Record] = []
    for position, item in enumerate(items, start=1):
        if not isinstance(item, Mapping):
            errors.add(RowError(position, None, "each value must be an object"))
            continue
        errors.extend(
            RowError(position, shortened(str(key)), f"unknown field; expected {EXPECTED}")
            for key in sorted(map(str, set(item) - set(REQUIRED_COLUMNS) - set(OPTIONAL_COLUMNS)))
        )
        errors.extend(
            RowError(position, key, "is missing") for key in REQUIRED_COLUMNS if key not in item
        )
        fields: dict[str, str] = {}
        unreadable: set[str] = set()
        for key in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS):
            value = item.get(key)
            fields[key] = ""
            # A JSON true is not the number 1, though Python's bool is an int.
            if isinstance(value, bool) or not isinstance(value, str | int | float | None):
                errors.add(RowError(position, key, "must be a string or a number"))
                unreadable.add(key)
                continue
            text = "" if value is None else str(value)
            if problem := json_value_problem(text):
                errors.add(RowError(position, key, problem))
                unreadable.add(key)
                continue
            fields[key] = text
        if not any(key not in item for key in REQUIRED_COLUMNS):
            records.append(Record(position, fields, frozenset(unreadable)))
    return records, errors


def header_errors(columns: list[str]) -> list[RowError]:
    errors = []
    seen: set[str] = set()
    for column in columns:
        if column in seen:
            errors.append(RowError(1, shortened(column), "appears twice in the header"))
        elif column not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS:
            errors.append(
                RowError(1, shortened(column) or "(empty)", f"unknown column; expected {EXPECTED}")
            )
        seen.add(column)
    errors.extend(
        RowError(1, column, f"required column is missing; expected {EXPECTED}")
        for column in REQUIRED_COLUMNS
        if column not in seen
    )
    return errors
