"""Writing many plain rows of one model without a model instance per row.

`bulk_create` builds, validates and tracks an instance per row: at a million rows that is most
of the time and memory of the write. Where the caller already has the values (ids, flags),
`insert_rows` streams tuples straight to the database: PostgreSQL's `COPY ... FROM STDIN`
through Django's own connection (so it is part of the caller's transaction), and on other
databases `executemany` of one INSERT in batches. Fields the caller does not name get the
model's default, as `bulk_create` would give them. Values of plain columns (numbers, text,
flags) go as given; the others (uuids, JSON, times) through their field's own conversion, so
each database stores them as the ORM would. No row is logged (Django's SQL logging sees one
COPY, not its data).

A COPY cannot return the ids it wrote, so a caller that needs them (to point other rows at
them) takes them first with `reserve_ids` and writes them explicitly.

`update_rows` is the same for changing rows: `bulk_update` builds a CASE of one WHEN per row
for each field, Python objects the ORM compiles and the database then tries one by one for
every row (at 130,000 units of a million people's close it took nearly a minute). Here the
new values go as one JSON array per batch, joined to the table by primary key.
"""

import json
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models

# Rows per executemany call on databases without COPY: bounds what is held at once.
EXECUTEMANY_BATCH = 5000
# Rows per UPDATE of update_rows: one JSON parameter of some megabytes at most.
UPDATE_BATCH = 20_000


def insert_rows(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert `rows` (tuples of values for `fields`, in that order) into `model`'s table; the
    model's other fields, the primary key excepted, get their defaults. Returns how many rows
    were written. Rows are consumed as they come, never all held."""
    named = [concrete_field(model, name) for name in fields]
    converted = [index for index, field in enumerate(named) if not is_plain(field)]
    defaulted = [
        field
        for field in model._meta.concrete_fields
        if field not in named and not field.primary_key
    ]
    per_row = [field.name for field in defaulted if field.has_default() and callable(field.default)]
    if per_row:
        # One value for every row would repeat what is meant to differ (a uuid4, a time).
        raise ValueError(f"give {model.__name__}'s {', '.join(per_row)} per row")
    # The connection itself, not the proxy `connection`, whose every attribute is looked up
    # again: the conversions below read it for each value.
    database = connections[DEFAULT_DB_ALIAS]
    defaults = tuple(field.get_db_prep_save(field.get_default(), database) for field in defaulted)
    columns = [str(field.column) for field in (*named, *defaulted)]
    complete = (
        (with_db_values(row, named, converted, database) if converted else tuple(row)) + defaults
        for row in rows
    )
    table = connection.ops.quote_name(model._meta.db_table)
    column_list = ", ".join(connection.ops.quote_name(column) for column in columns)
    if connection.vendor == "postgresql":
        return copy_rows(table, column_list, complete)
    placeholders = ", ".join(["%s"] * len(columns))
    # Table and columns come from the model, quoted; values are bound.
    sql = f"INSERT INTO {table} ({column_list}) VALUES ({placeholders})"  # noqa: S608
    written = 0
    with connection.cursor() as cursor:
        for batch in batches(complete, EXECUTEMANY_BATCH):
            cursor.executemany(sql, batch)
            written += len(batch)
    return written


# Columns whose Python values every database takes as they are: converting them per row would
# cost a call per value at a million rows for nothing.
PLAIN_TYPES = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "EmailField",
        "IntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SlugField",
        "SmallIntegerField",
        "TextField",
    }
)


def is_plain(field: models.Field) -> bool:
    return stored_type(field) in PLAIN_TYPES


def stored_type(field: models.Field) -> str:
    """The internal type of what the column holds: a foreign key's, that of the key it
    points at."""
    stored = field.target_field if isinstance(field, models.ForeignKey) else field
    return str(stored.get_internal_type())


def with_db_values(
    row: Sequence[Any], named: list[models.Field], converted: list[int], database: Any
) -> tuple[Any, ...]:
    values = list(row)
    for index in converted:
        values[index] = named[index].get_db_prep_save(values[index], database)
    return tuple(values)


def concrete_field(model: type[models.Model], name: str) -> models.Field:
    """The model field `name` ("pk" for the primary key) names, as stored in a column."""
    field = model._meta.pk if name == "pk" else model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.concrete:
        raise ValueError(f"{model.__name__}.{name} is not stored in a column of its own")
    return field


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` primary keys for new rows of `model` that no other writer will take, in
    ascending order. Call inside the transaction that writes the rows."""
    if count <= 0:
        return []
    table = model._meta.db_table
    column = str(concrete_field(model, "pk").column)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The table's own sequence, as an INSERT would use it: concurrent writers get
            # other values, and the sequence is never behind the rows.
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), column, count],
            )
            return sorted(value for (value,) in cursor.fetchall())
        if connection.vendor != "sqlite" or not connection.in_atomic_block:
            raise NotImplementedError("reserve_ids needs PostgreSQL, or SQLite in a transaction")
        # SQLite: the settings open every transaction IMMEDIATE, so this one already holds the
        # write lock and nobody can insert between this read and our rows. Past both the
        # highest id and AUTOINCREMENT's high-water mark, so a deleted id is never reused.
        quoted_table, quoted_column = (
            connection.ops.quote_name(table),
            connection.ops.quote_name(column),
        )
        cursor.execute(
            f"SELECT max(COALESCE((SELECT max({quoted_column}) FROM {quoted_table}), 0), "  # noqa: S608
            "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
            [table],
        )
        (highest,) = cursor.fetchone()
    return list(range(highest + 1, highest + 1 + count))


def update_rows(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Set `fields` of existing rows of `model`: `rows` are tuples of the primary key and then
    the new values of `fields`, in that order, plain values only (numbers, text without NUL
    characters, flags, None). Rows whose key is not in the table are left out; a key given
    twice in one call gets either of its values. Returns how many rows were given."""
    named = [concrete_field(model, "pk"), *(concrete_field(model, name) for name in fields)]
    not_plain = [field.name for field in named if not is_plain(field)]
    if not_plain:
        raise ValueError(f"update_rows takes plain columns only, not {', '.join(not_plain)}")
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    key, *columns = (quote(str(field.column)) for field in named)
    if connection.vendor == "postgresql":
        # Each value cast to its column's type: JSON holds numbers, text and flags. Text goes
        # as text, so a value too long for its column is refused on assignment, as an INSERT
        # would refuse it (a cast to varchar(n) would cut it short without a word).
        values = ", ".join(
            f"(item.value ->> {index})::{update_cast(field)} AS {quote(str(field.column))}"
            for index, field in enumerate(named)
        )
        source = "jsonb_array_elements(%s::jsonb) AS item(value)"
    else:
        # json_extract, not ->> (SQLite 3.38 and later only).
        values = ", ".join(
            f"json_extract(item.value, '$[{index}]') AS {quote(str(field.column))}"
            for index, field in enumerate(named)
        )
        source = "json_each(%s) AS item"
    assignments = ", ".join(f"{column} = changed.{column}" for column in columns)
    # Table and columns come from the model, quoted; the values are one bound parameter.
    sql = (
        f"UPDATE {table} SET {assignments} FROM (SELECT {values} FROM {source}) AS changed "  # noqa: S608
        f"WHERE {table}.{key} = changed.{key}"
    )
    given = 0
    with connection.cursor() as cursor:
        for batch in batches((tuple(row) for row in rows), UPDATE_BATCH):
            if any(isinstance(value, str) and "\x00" in value for row in batch for value in row):
                # SQLite's JSON functions end a string at NUL; PostgreSQL's jsonb refuses it.
                raise ValueError("update_rows cannot write text with NUL characters")
            cursor.execute(sql, [json.dumps(batch)])
            given += len(batch)
    return given


TEXT_TYPES = frozenset({"CharField", "EmailField", "SlugField", "TextField"})


def update_cast(field: models.Field) -> str:
    if stored_type(field) in TEXT_TYPES:
        return "text"
    return str(field.db_type(connection))


def copy_rows(table: str, column_list: str, rows: Iterable[tuple[Any, ...]]) -> int:
    written = 0
    # Django's cursor wrapper hands `copy` to psycopg's cursor, inside the open transaction.
    statement = f"COPY {table} ({column_list}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
            written += 1
    return written


def batches(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch
