"""Reading and validating an org chart file. Pure: no database writes.

The whole file is checked before anything is applied, and every problem is reported at once as
line + column + reason. Lines are numbered as a spreadsheet shows them: the header is line 1,
the first person line 2. For JSON input, the "line" is the 1-based position in the list.
"""

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

REQUIRED_COLUMNS = ("employee_id", "email", "name", "manager_id")
OPTIONAL_COLUMNS = ("team",)
MAX_LENGTHS = {"employee_id": 64, "email": 254, "name": 200, "team": 200}
EXPECTED = ",".join(REQUIRED_COLUMNS) + "[,team]"


@dataclass(frozen=True)
class OrgRow:
    line: int
    employee_id: str
    email: str
    name: str
    manager_id: str
    team: str


@dataclass(frozen=True)
class RowError:
    line: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class OrgFileInvalid(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} problem(s) in the org file")
        self.errors = sorted(errors, key=lambda error: (error.line, error.column or ""))


def parse_csv(data: bytes) -> list[OrgRow]:
    """Rows of a CSV org file; raises OrgFileInvalid with every problem found."""
    text = decode_utf8(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None or not any(cell.strip() for cell in header):
        raise OrgFileInvalid(
            [RowError(1, None, f"the file is empty; expected a header: {EXPECTED}")]
        )
    columns = [cell.strip() for cell in header]
    errors = header_errors(columns)
    if errors:
        raise OrgFileInvalid(errors)
    records: list[tuple[int, dict[str, str]]] = []
    # Ids on malformed lines still count as known, so their reports are not also flagged.
    ids_on_bad_lines: set[str] = set()
    for values in reader:
        line = reader.line_num
        if not any(value.strip() for value in values):
            continue  # blank lines, often at the end of an export
        if len(values) != len(columns):
            errors.append(
                RowError(
                    line,
                    None,
                    f"has {len(values)} fields, but the header has {len(columns)} "
                    f"({', '.join(columns)})",
                )
            )
            if len(values) > columns.index("employee_id"):
                ids_on_bad_lines.add(values[columns.index("employee_id")].strip())
            continue
        records.append((line, dict(zip(columns, values, strict=True))))
    return rows_from_records(records, errors, known_ids=ids_on_bad_lines)


def parse_records(records: list[Mapping[str, object]]) -> list[OrgRow]:
    """Rows of a JSON org chart (a list of objects with the CSV's keys)."""
    errors: list[RowError] = []
    checked: list[tuple[int, dict[str, str]]] = []
    for position, record in enumerate(records, start=1):
        if not isinstance(record, Mapping):
            errors.append(RowError(position, None, "each person must be an object"))
            continue
        unknown = sorted(set(record) - set(REQUIRED_COLUMNS) - set(OPTIONAL_COLUMNS))
        errors.extend(
            RowError(position, key, f"unknown field; expected {EXPECTED}") for key in unknown
        )
        missing = [key for key in REQUIRED_COLUMNS if key not in record and key != "manager_id"]
        errors.extend(RowError(position, key, "is missing") for key in missing)
        values = {}
        for key in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS):
            value = record.get(key)
            if value is not None and not isinstance(value, str | int):
                errors.append(RowError(position, key, "must be a string"))
            values[key] = "" if value is None else str(value)
        checked.append((position, values))
    return rows_from_records(checked, errors)


def decode_utf8(data: bytes) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        errors = []
        for number, raw_line in enumerate(data.split(b"\n"), start=1):
            try:
                raw_line.decode("utf-8")
            except UnicodeDecodeError as error:
                errors.append(
                    RowError(
                        number,
                        None,
                        f"is not valid UTF-8 (byte 0x{raw_line[error.start]:02x} at position "
                        f"{error.start + 1}); save the file as UTF-8 CSV",
                    )
                )
        raise OrgFileInvalid(errors) from None
    return text.removeprefix("\ufeff")  # spreadsheet programs often add a byte-order mark


def header_errors(columns: list[str]) -> list[RowError]:
    errors = []
    seen: set[str] = set()
    for column in columns:
        if column in seen:
            errors.append(RowError(1, column, "appears twice in the header"))
        elif column not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS:
            errors.append(RowError(1, column or "(empty)", f"unknown column; expected {EXPECTED}"))
        seen.add(column)
    errors.extend(
        RowError(1, column, f"required column is missing; expected {EXPECTED}")
        for column in REQUIRED_COLUMNS
        if column not in seen
    )
    return errors


def rows_from_records(
    records: list[tuple[int, dict[str, str]]],
    earlier_errors: list[RowError],
    known_ids: frozenset[str] | set[str] = frozenset(),
) -> list[OrgRow]:
    rows = [
        OrgRow(
            line=line,
            employee_id=values["employee_id"].strip(),
            email=values["email"].strip(),
            name=values["name"].strip(),
            manager_id=values.get("manager_id", "").strip(),
            team=values.get("team", "").strip(),
        )
        for line, values in records
    ]
    if not rows and not earlier_errors:
        raise OrgFileInvalid([RowError(1, None, "the file has a header but no people")])
    errors = earlier_errors + list(field_errors(rows)) + list(structure_errors(rows, known_ids))
    if errors:
        raise OrgFileInvalid(errors)
    return rows


def field_errors(rows: list[OrgRow]) -> Iterable[RowError]:
    first_line_of_id: dict[str, int] = {}
    first_line_of_email: dict[str, int] = {}
    for row in rows:
        for column in ("employee_id", "email", "name"):
            if not getattr(row, column):
                yield RowError(row.line, column, "is empty")
        for column, limit in MAX_LENGTHS.items():
            value = getattr(row, column)
            if len(value) > limit:
                yield RowError(
                    row.line, column, f"is {len(value)} characters long; at most {limit}"
                )
        if row.email:
            try:
                validate_email(row.email)
            except ValidationError:
                yield RowError(row.line, "email", f'"{row.email}" is not a valid email address')
        if row.employee_id:
            if row.employee_id in first_line_of_id:
                yield RowError(
                    row.line,
                    "employee_id",
                    f'"{row.employee_id}" already appears on line '
                    f"{first_line_of_id[row.employee_id]}",
                )
            first_line_of_id.setdefault(row.employee_id, row.line)
        if row.email:
            key = row.email.lower()
            if key in first_line_of_email:
                yield RowError(
                    row.line,
                    "email",
                    f'"{row.email}" already appears on line {first_line_of_email[key]}',
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
                row.line, "manager_id", f'"{row.manager_id}" is not an employee_id in this file'
            )
    if not tops and rows:
        yield RowError(
            1, "manager_id", "no top person: exactly one person must have an empty manager_id"
        )
    for extra in tops[1:]:
        yield RowError(
            extra.line,
            "manager_id",
            f'a second top person (empty manager_id); the first is "{tops[0].employee_id}" '
            f"on line {tops[0].line}",
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
                    "reporting cycle: " + " → ".join(f'"{e}"' for e in order),
                )
        for employee in path:
            state[employee] = "done"
