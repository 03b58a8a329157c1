"""The insider's tools: nightly dumps, the database files, the logs, and what they can be read as.

The insider of docs/anonymity.md (A1) holds what an operator holds: every logical dump (every
row of every table, with PostgreSQL's xmin and ctid or SQLite's rowid, in plain dump order), the
database
files, every log the project writes, Redis, the broker and the mail log. Not the ballot private
key, except where an attack says "with the private key". These helpers read the database only
with raw SQL, as pg_dump or sqlite3 would, so they keep working whatever the models become.
"""

import base64
import io
import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client

# The tables of the anonymous plane that hold what people answered, and those of the identity
# plane that say who was invited and whose link was used.
PENDING_BALLOTS = "pulse_pendingballot"
RESPONSES = "pulse_response"
COMMENTS = "pulse_comment"
ANSWER_TABLES = (PENDING_BALLOTS, RESPONSES, COMMENTS)
INVITATIONS = "surveys_invitation"
TOKENS = "surveys_invitationtoken"
IDENTITY_TABLES = (INVITATIONS, TOKENS)

TOKEN_IN_LINK = re.compile(r"/a/(?:[A-Za-z0-9_\-]{20,}/)?([A-Za-z0-9_\-]{20,})/")


def needs_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("xmin, ctid and dead tuples are PostgreSQL's")


def needs_sqlite() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("rowid order and the database file are SQLite's")


# --- Dumps ---------------------------------------------------------------------------------


@dataclass
class Row:
    values: dict[str, Any]
    # Where the row sits: PostgreSQL's ctid as (block, item), SQLite's rowid.
    position: tuple[int, ...]
    # PostgreSQL: the id of the transaction that wrote this version of the row.
    xmin: int | None

    def __getitem__(self, column: str) -> Any:
        return self.values[column]

    def get(self, column: str, default: object = None) -> Any:
        return self.values.get(column, default)

    def binary(self) -> bytes:
        """The row's (first) binary column: a sealed ballot, a digest."""
        for value in self.values.values():
            if isinstance(value, bytes):
                return value
        raise AssertionError(f"no binary column in {sorted(self.values)}")


@dataclass
class Dump:
    """Every row of every table, in the order a plain `SELECT *` (and pg_dump) returns them."""

    tables: dict[str, list[Row]] = field(default_factory=dict)

    def rows(self, table: str) -> list[Row]:
        return self.tables.get(table, [])

    def by_id(self, table: str) -> dict[object, Row]:
        return {row["id"]: row for row in self.rows(table)}

    def text(self) -> str:
        return "\n".join(repr([row.values for row in rows]) for rows in self.tables.values())


def plain(value: object) -> object:
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def take_dump() -> Dump:
    """Read like pg_dump: from outside, so the dump's own statements are not in the logs."""
    logging_sql, connection.force_debug_cursor = connection.force_debug_cursor, False
    try:
        return read_every_table()
    finally:
        connection.force_debug_cursor = logging_sql


def read_every_table() -> Dump:
    dump = Dump()
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if connection.vendor == "postgresql":
                cursor.execute(f'SELECT xmin::text, ctid::text, * FROM "{table}"')  # noqa: S608
            else:
                cursor.execute(f'SELECT NULL, rowid, * FROM "{table}"')  # noqa: S608
            columns = [column[0] for column in cursor.description][2:]
            rows = []
            for xmin, position, *values in cursor.fetchall():
                rows.append(
                    Row(
                        values=dict(zip(columns, map(plain, values), strict=True)),
                        position=parse_position(position),
                        xmin=int(xmin) if xmin is not None else None,
                    )
                )
            dump.tables[table] = rows
    return dump


def parse_position(position: object) -> tuple[int, ...]:
    if isinstance(position, str):  # ctid "(block,item)"
        return tuple(int(part) for part in position.strip("()").split(","))
    return (int(str(position)),)


def database_file_bytes() -> bytes:
    """SQLite: the database file and its write-ahead log and journal, as a file backup has them."""
    name = Path(connection.settings_dict["NAME"])
    chunks = []
    for path in (name, Path(f"{name}-wal"), Path(f"{name}-journal")):
        if path.exists():
            chunks.append(path.read_bytes())
    return b"".join(chunks)


def json_value(value: object) -> Any:
    return json.loads(value) if isinstance(value, str) else value


# --- Links, answers ------------------------------------------------------------------------


def every_token_emailed() -> set[str]:
    return {
        found.group(1)
        for message in mail.outbox
        for found in [TOKEN_IN_LINK.search(str(message.body))]
        if found
    }


def answer_by_form(
    token: str, item_keys: list[str], values: list[int], enps: int | None, comment: str
) -> int:
    data = {f"item_{key}": str(value) for key, value in zip(item_keys, values, strict=False)}
    if enps is not None:
        data["enps"] = str(enps)
    if comment:
        data["comment"] = comment
    Client().get(f"/a/{token}/")  # a person opens the page before answering
    return Client().post(f"/a/{token}/", data).status_code


def answer_by_json(token: str, answers: dict[str, int], enps: int | None, comment: str) -> int:
    body: dict[str, object] = {"answers": answers}
    if enps is not None:
        body["enps"] = enps
    if comment:
        body["comment"] = comment
    Client().get(f"/api/v1/pulse/{token}")
    return (
        Client().post(f"/api/v1/pulse/{token}", body, content_type="application/json").status_code
    )


def encode(index: int, digits: int = 4) -> list[int]:
    """Answers 1-7 that spell `index` in base 7: the test's own marker of who wrote a row."""
    return [index // 7**power % 7 + 1 for power in range(digits)]


def decode(answers: dict, keys: list[str]) -> int:
    return sum((answers[key] - 1) * 7**power for power, key in enumerate(keys))


# --- Statistics ----------------------------------------------------------------------------


def kendall_tau(first: list[float], second: list[float]) -> float:
    """Kendall's tau-a between two rankings of the same people (no ties in our use)."""
    n = len(first)
    concordant = discordant = 0
    for i in range(n):
        for j in range(i + 1, n):
            sign = (first[i] - first[j]) * (second[i] - second[j])
            concordant += sign > 0
            discordant += sign < 0
    return (concordant - discordant) / (n * (n - 1) / 2)


# --- Logs ----------------------------------------------------------------------------------


class KeepRecords(logging.Handler):
    """Sits at the root, where a log shipper would: sees each record as the project made it."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class CapturedLogs:
    written: io.StringIO
    keeper: KeepRecords

    def texts(self) -> list[str]:
        """Everything the project's handlers wrote, and every record's message and SQL extras
        (a JSON formatter or a log shipper prints those)."""
        texts = [self.written.getvalue()]
        for record in self.keeper.records:
            texts.append(record.getMessage())
            for extra in ("sql", "params", "args"):
                value = getattr(record, extra, None)
                if value is not None:
                    texts.append(repr(value))
        return texts

    def text(self) -> str:
        return "\n".join(self.texts())

    def messages(self, *, sql: bool) -> list[str]:
        return [
            record.getMessage()
            for record in self.keeper.records
            if (record.name == "django.db.backends") == sql
        ]


LOGGERS_AT_DEBUG = (
    "",
    "django",
    "django.request",
    "django.server",
    "django.db.backends",
    "surveys",
    "pulse",
    "celery",
)


@contextmanager
def everything_logged_at_debug() -> Iterator[CapturedLogs]:
    """The operator turns every logger up to DEBUG, SQL included, and keeps what is written.

    The project's own handlers (those LOGGING configured) write into a buffer with their own
    formatters and filters; a handler at the root keeps every record as a log shipper would."""
    written = io.StringIO()
    keeper = KeepRecords()
    handlers = [
        handler
        for handler in logging._handlers.values()  # type: ignore[attr-defined]
        if isinstance(handler, logging.StreamHandler)
    ]
    saved_handlers = [(handler, handler.stream, handler.level) for handler in handlers]
    saved_levels = {name: logging.getLogger(name).level for name in LOGGERS_AT_DEBUG}
    for handler in handlers:
        handler.setStream(written)
        handler.setLevel(logging.DEBUG)
    for name in LOGGERS_AT_DEBUG:
        logging.getLogger(name).setLevel(logging.DEBUG)
    logging.getLogger().addHandler(keeper)
    connection.force_debug_cursor = True
    try:
        yield CapturedLogs(written=written, keeper=keeper)
    finally:
        connection.force_debug_cursor = False
        logging.getLogger().removeHandler(keeper)
        for name, level in saved_levels.items():
            logging.getLogger(name).setLevel(level)
        for handler, stream, level in saved_handlers:
            handler.setStream(stream)
            handler.setLevel(level)


def forms_of_bytes(value: bytes) -> list[str]:
    """How bytes show up in a log line: hex (PostgreSQL and SQLite quote bytea/blob as hex),
    Python's repr, base64, and latin-1 text."""
    return [
        value.hex(),
        repr(value)[2:-1],
        base64.b64encode(value).decode(),
        base64.urlsafe_b64encode(value).decode().rstrip("="),
        value.decode("latin-1"),
    ]


class SearchableText:
    """Log text searched for bytes in every form a log line can show them."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lowered = text.lower()

    def shows_bytes(self, value: bytes) -> bool:
        hex_form, *other_forms = forms_of_bytes(value)
        return hex_form in self.lowered or any(form in self.text for form in other_forms)


# Writes to the invitation table that set `answered` to anything but NULL (close wipes it to
# NULL; that says nothing about anyone).
MARKS_ANSWERED = re.compile(
    r"UPDATE\s+[\"`]?" + INVITATIONS + r"[\"`]?\s+SET\s+[^;]*?\banswered[\"`]?\s*=\s*+(?!NULL\b)",
    re.IGNORECASE | re.DOTALL,
)
ON_ANSWER_TABLES = re.compile(r"\b(" + "|".join(ANSWER_TABLES) + r")\b", re.IGNORECASE)


# --- Driving the product -------------------------------------------------------------------


def tick() -> str:
    """One scheduler pass, as cron or beat runs it; returns what the command printed."""
    output = io.StringIO()
    call_command("tick", stdout=output)
    return output.getvalue()


def close_by_command(cycle_id: int) -> str:
    """Close: the waiting answers are stored at once. A dump now is the insider's best: the
    next tick releases the results and deletes the stored answers."""
    output = io.StringIO()
    call_command("close_cycle", cycle_id, stdout=output)
    return output.getvalue()


def close_and_tick(cycle_id: int) -> str:
    return close_by_command(cycle_id) + tick()


def question_keys(token: str) -> list[str]:
    """The survey's questions in its own order, as the JSON API lists them."""
    response = Client().get(f"/api/v1/pulse/{token}")
    assert response.status_code == 200, response.content
    return [question["key"] for question in response.json()["questions"]]


@dataclass
class Answer:
    """One person's answers, spelling `index` so the test (not the attacker) knows whose row
    is whose."""

    email: str
    index: int
    by_json: bool = False
    comment: str = ""
    enps: int | None = None

    def values(self, keys: list[str]) -> dict[str, int]:
        return dict(zip(keys, encode(self.index), strict=False))

    def send(self, links: dict[str, str]) -> None:
        token = links[self.email]
        keys = question_keys(token)
        if self.by_json:
            status = answer_by_json(token, self.values(keys), self.enps, self.comment)
            assert status == 201, f"{self.email}: JSON answer refused ({status})"
        else:
            values = list(self.values(keys).values())
            status = answer_by_form(token, keys, values, self.enps, self.comment)
            assert status == 200, f"{self.email}: form answer refused ({status})"


def author_of(response: Row, keys: list[str]) -> int:
    """The index an answer spells (the test's ground truth)."""
    return decode(json_value(response["answers"]), keys[:4])


def open_with_private_key(sealed: bytes, *, cycle_id: int) -> dict:
    """What the sweeping worker's private key reveals: the ballot's contents. The one place the
    attacks use the product's own code, because only it knows how a ballot is sealed."""
    from pulse.sealing import unseal

    return unseal(sealed, cycle_id=cycle_id)
