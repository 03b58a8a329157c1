"""Reading and validating an org chart file. Pure: no database writes.

The whole file is checked before anything is applied, and every problem is counted and reported
as line + column + reason (the first hundred by line are kept: teams.org_problems). Lines are
numbered as a spreadsheet shows them: the header is line 1, the first person line 2. For JSON
input, the "line" is the 1-based position in the list.
"""

import csv
import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

from teams.erasure import ERASED_DOMAIN, is_erased_employee_id
from teams.import_progress import REPORT_EVERY, Progress, no_progress
from teams.org_problems import (
    OrgFileInvalid,
    ProblemLog,
    RowError,
    check_size,
    quoted,
    shortened,
)


@functools.lru_cache(maxsize=1024)
def domain_is_valid(domain_part: str) -> bool:
    return bool(EmailValidator().validate_domain_part(domain_part))


class OrgEmailValidator(EmailValidator):
    """Django's email validation, remembering the domains it has checked: a file of a
    million people has a handful of domains, and checking each again was a fifth of parsing."""

    def validate_domain_part(self, domain_part: str) -> bool:
        return domain_is_valid(domain_part)


validate_email = OrgEmailValidator()

REQUIRED_COLUMNS = ("employee_id", "email", "name", "manager_id")
OPTIONAL_COLUMNS = ("team",)
MAX_LENGTHS = {"employee_id": 64, "email": 254, "name": 200, "team": 200}
EXPECTED = ",".join(REQUIRED_COLUMNS) + "[,team]"


# One per person in the file: slots keep a million of them to a fraction of the memory.
@dataclass(frozen=True, slots=True)
class OrgRow:
    line: int
    employee_id: str
    email: str
    name: str
    manager_id: str
    team: str


def parse_csv(data: bytes, *, progress: Progress = no_progress) -> list[OrgRow]:
    """Rows of a CSV org file; raises OrgFileInvalid with every problem found. `progress`
    hears how many rows are read (out of the file's lines) and then checked."""
    check_size(len(data))
    # Undecodable bytes become lone surrogates (U+DC80-U+DCFF), so the file is still read as
    # CSV and each bad byte is reported in its line and column (csv_value_problem).
    text = data.decode("utf-8", errors="surrogateescape").removeprefix("\ufeff")
    # The csv module refuses fields over 131,072 characters with an error naming no column.
    # The whole file is already in memory and under the size limit, so let fields be as long as
    # the file: an over-long value is then reported against MAX_LENGTHS with its column.
    csv.field_size_limit(max(csv.field_size_limit(), settings.PULSE_ORG_FILE_MAX_BYTES))
    reader = csv.reader(lines_of(text))
    # One search of the whole file spares a good file (nearly every file) a search per value.
    has_unreadable_values = NOT_UTF8_OR_NUL.search(text) is not None
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise OrgFileInvalid([RowError(1, None, f"cannot be read as CSV ({error})")]) from None
    if header is None or not any(cell.strip() for cell in header):
        raise OrgFileInvalid(
            [RowError(1, None, f"the file is empty; expected a header: {EXPECTED}")]
        )
    unreadable = [
        RowError(1, f"{number}", f"the header {problem}")
        for number, cell in enumerate(header, start=1)
        if (problem := csv_value_problem(cell))
    ]
    if unreadable:
        raise OrgFileInvalid(unreadable)
    columns = [cell.strip() for cell in header]
    errors = ProblemLog(header_errors(columns))
    if errors.count:
        raise OrgFileInvalid(errors)
    # Each line becomes its row at once: a dict per line, kept for a whole file, took more
    # memory than the rows themselves.
    records: list[OrgRow] = []
    # Ids on malformed lines still count as known, so their reports are not also flagged.
    ids_on_bad_lines: set[str] = set()
    id_position = columns.index("employee_id")
    # Rows, as far as a count of lines can tell before reading (a quoted value may span lines).
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    expected_rows = max(lines - 1, 0)
    read = 0
    while True:
        first_line = reader.line_num + 1
        try:
            values = next(reader, None)
        except csv.Error as error:
            errors.add(RowError(reader.line_num, None, f"cannot be read as CSV ({error})"))
            break  # the reader cannot go on after this
        if values is None:
            break
        line = reader.line_num
        if not any(value.strip() for value in values):
            continue  # blank lines, often at the end of an export
        read += 1
        if read % REPORT_EVERY == 0:
            progress("read", read, max(read, expected_rows))
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
            problems.append(RowError(line, None, width_problem(values, columns, first_line, line)))
        if problems:
            errors.extend(problems)
            if len(values) > id_position:
                ids_on_bad_lines.add(values[id_position].strip())
            continue
        records.append(org_row(line, dict(zip(columns, values, strict=True))))
    progress("read", read, read)
    return checked_rows(records, errors, known_ids=ids_on_bad_lines, progress=progress)


# A line and its ending (\r\n, \r or \n, as a file opened with newline="" reads them), or
# the file's last line when it has no ending.
LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+")


def lines_of(text: str) -> Iterator[str]:
    """The file's lines, endings kept, one at a time, as the csv module reads them from a
    file: a StringIO of a large file holds a second copy of it, at four bytes a character."""
    for line in LINE.finditer(text):
        yield line.group()


def width_problem(values: list[str], columns: list[str], first_line: int, line: int) -> str:
    problem = f"has {len(values)} fields, but the header has {len(columns)} ({', '.join(columns)})"
    if line > first_line:
        # One record over several lines: a quote was opened and closed far later, or never.
        problem += (
            f'; it starts on line {first_line}: look there for a quote (") that is not closed'
        )
    return problem


# What cannot be stored: NUL (PostgreSQL text refuses it), and lone surrogates, which in a CSV
# decoded with surrogateescape are the bytes that were not UTF-8 (U+DC80-U+DCFF).
NOT_UTF8_OR_NUL = re.compile("[\x00\udc80-\udcff]")
SURROGATE_OR_NUL = re.compile("[\x00\ud800-\udfff]")


def csv_value_problem(value: str) -> str | None:
    """What makes a value unreadable: a byte that is not UTF-8, or a NUL."""
    found = NOT_UTF8_OR_NUL.search(value)
    if found is None:
        return None
    index, character = found.start() + 1, found.group()
    if character == "\x00":
        return nul_problem(index)
    byte = ord(character) - 0xDC00
    return (
        f"is not valid UTF-8 (byte 0x{byte:02x} at character {index}); save the file as UTF-8 CSV"
    )


def json_value_problem(value: str) -> str | None:
    """What makes a JSON string unstorable: a NUL, or a lone surrogate (not a character)."""
    found = SURROGATE_OR_NUL.search(value)
    if found is None:
        return None
    index, character = found.start() + 1, found.group()
    if character == "\x00":
        return nul_problem(index)
    return (
        f"contains U+{ord(character):04X} at character {index}, half of a surrogate pair and "
        "not a character; send the text as valid Unicode"
    )


def nul_problem(index: int) -> str:
    return (
        f"contains a NUL character (byte 0x00) at character {index}; remove it (exports "
        "sometimes leave one) and save the file again"
    )


def parse_records(records: list[Mapping[str, object]]) -> list[OrgRow]:
    """Rows of a JSON org chart (a list of objects with the CSV's keys)."""
    errors = ProblemLog()
    checked: list[OrgRow] = []
    for position_in_list, record in enumerate(records, start=1):
        if not isinstance(record, Mapping):
            errors.add(RowError(position_in_list, None, "each person must be an object"))
            continue
        unknown = sorted(set(record) - set(REQUIRED_COLUMNS) - set(OPTIONAL_COLUMNS))
        errors.extend(
            RowError(position_in_list, shortened(key), f"unknown field; expected {EXPECTED}")
            for key in unknown
        )
        missing = [key for key in REQUIRED_COLUMNS if key not in record and key != "manager_id"]
        errors.extend(RowError(position_in_list, key, "is missing") for key in missing)
        values = {}
        unreadable = False
        for key in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS):
            value = record.get(key)
            if value is not None and not isinstance(value, str | int):
                errors.add(RowError(position_in_list, key, "must be a string"))
            values[key] = "" if value is None else str(value)
            if problem := json_value_problem(values[key]):
                errors.add(RowError(position_in_list, key, problem))
                unreadable = True
        if not unreadable:
            checked.append(org_row(position_in_list, values))
    return checked_rows(checked, errors)


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


def org_row(line: int, values: Mapping[str, str]) -> OrgRow:
    return OrgRow(
        line=line,
        employee_id=values["employee_id"].strip(),
        email=values["email"].strip(),
        name=values["name"].strip(),
        manager_id=values.get("manager_id", "").strip(),
        team=values.get("team", "").strip(),
    )


def checked_rows(
    rows: list[OrgRow],
    errors: ProblemLog,
    known_ids: frozenset[str] | set[str] = frozenset(),
    progress: Progress = no_progress,
) -> list[OrgRow]:
    if not rows and not errors.count:
        raise OrgFileInvalid([RowError(1, None, "the file has a header but no people")])
    errors.extend(field_errors(rows, progress))
    errors.extend(structure_errors(rows, known_ids))
    progress("checked", len(rows), len(rows))
    if errors.count:
        raise OrgFileInvalid(errors)
    return rows


def field_errors(rows: list[OrgRow], progress: Progress = no_progress) -> Iterable[RowError]:
    first_line_of_id: dict[str, int] = {}
    first_line_of_email: dict[str, int] = {}
    for checked, row in enumerate(rows, start=1):
        if checked % REPORT_EVERY == 0:
            progress("checked", checked, len(rows))
        for column in ("employee_id", "email", "name"):
            if not getattr(row, column):
                yield RowError(row.line, column, "is empty")
        for column, limit in MAX_LENGTHS.items():
            value = getattr(row, column)
            if len(value) > limit:
                yield RowError(
                    row.line, column, f"is {len(value):,} characters long; at most {limit}"
                )
        if row.email:
            try:
                validate_email(row.email)
            except ValidationError:
                yield RowError(
                    row.line, "email", f"{quoted(row.email)} is not a valid email address"
                )
        if is_erased_employee_id(row.employee_id):
            yield RowError(
                row.line,
                "employee_id",
                f"{quoted(row.employee_id)} is how Pulse marks a deleted person; "
                "choose another employee id",
            )
        if row.email.lower().endswith(f"@{ERASED_DOMAIN}"):
            yield RowError(
                row.line, "email", f"{quoted(row.email)} is an address that takes no mail"
            )
        if row.employee_id:
            if row.employee_id in first_line_of_id:
                yield RowError(
                    row.line,
                    "employee_id",
                    f"{quoted(row.employee_id)} already appears on line "
                    f"{first_line_of_id[row.employee_id]}",
                )
            first_line_of_id.setdefault(row.employee_id, row.line)
        if row.email:
            key = row.email.lower()
            if key in first_line_of_email:
                yield RowError(
                    row.line,
                    "email",
                    f"{quoted(row.email)} already appears on line {first_line_of_email[key]}",
                )
            first_line_of_email.setdefault(key, row.line)


def structure_errors(rows: list[OrgRow], known_ids: Iterable[str]) -> Iterable[RowError]:
    """Unknown managers, self-management, cycles, and exactly one top person."""
    line_of = {row.employee_id: row.line for row in rows}
    manager_of = {row.employee_id: row.manager_id for row in rows}
    tops = [row for row in rows if not row.manager_id]
    for row in rows:
        if row.manager_id == row.employee_id:
            yield RowError(row.line, "manager_id", "a person cannot be their own manager")
        elif row.manager_id and row.manager_id not in line_of and row.manager_id not in known_ids:
            yield RowError(
                row.line,
                "manager_id",
                f"{quoted(row.manager_id)} is not an employee_id in this file",
            )
    if not tops and rows:
        yield RowError(
            1, "manager_id", "no top person: exactly one person must have an empty manager_id"
        )
    for extra in tops[1:]:
        yield RowError(
            extra.line,
            "manager_id",
            "a second top person (empty manager_id); the first is "
            f"{quoted(tops[0].employee_id)} on line {tops[0].line}",
        )
    yield from cycle_errors(manager_of, line_of)


def cycle_errors(manager_of: dict[str, str], line_of: dict[str, int]) -> Iterable[RowError]:
    """One error per reporting cycle, on the line of its first member in the file."""
    state: dict[str, str] = {}  # "walking" or "done"
    for start in manager_of:
        path: list[str] = []
        current = start
        while current in manager_of and current not in state:
            state[current] = "walking"
            path.append(current)
            current = manager_of[current]
        if current in state and state[current] == "walking" and current in path:
            loop = path[path.index(current) :]
            if len(loop) > 1:
                first = min(loop, key=lambda employee: line_of[employee])
                order = loop[loop.index(first) :] + loop[: loop.index(first)] + [first]
                yield RowError(
                    line_of[first],
                    "manager_id",
                    "reporting cycle: " + " → ".join(quoted(e) for e in order),
                )
        for employee in path:
            state[employee] = "done"
