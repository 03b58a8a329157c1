"""Writing many plain rows of one model without a model instance per row.

`bulk_create` builds, validates and tracks an instance per row: at a million rows that is most
of the time and memory of the write. Where the caller already has the values (ids, flags),
`insert_rows` streams tuples straight to the database: PostgreSQL's `COPY ... FROM STDIN`
through Django's own connection (so it is part of the caller's transaction), and on other
databases `executemany` of one INSERT in batches. Fields the caller does not name get the
model's default, as `bulk_create` would give them. No row is logged (Django's SQL logging
sees one COPY, not its data).
"""

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

from django.db import connection, models

# Rows per executemany call on databases without COPY: bounds what is held at once.
EXECUTEMANY_BATCH = 5000


def insert_rows(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert `rows` (tuples of database-ready values for `fields`, in that order) into
    `model`'s table; the model's other fields, the primary key excepted, get their defaults.
    Returns how many rows were written. Rows are consumed as they come, never all held."""
    named = [model._meta.get_field(name) for name in fields]
    defaulted = [
        field
        for field in model._meta.concrete_fields
        if field not in named and not field.primary_key
    ]
    defaults = tuple(
        field.get_db_prep_save(field.get_default(), connection) for field in defaulted
    )
    columns = [field.column for field in (*named, *defaulted)]
    complete = (tuple(row) + defaults for row in rows)
    table = connection.ops.quote_name(model._meta.db_table)
    column_list = ", ".join(connection.ops.quote_name(column) for column in columns)
    if connection.vendor == "postgresql":
        return copy_rows(table, column_list, complete)
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({column_list}) VALUES ({placeholders})"
    written = 0
    with connection.cursor() as cursor:
        for batch in batches(complete, EXECUTEMANY_BATCH):
            cursor.executemany(sql, batch)
            written += len(batch)
    return written


def copy_rows(table: str, column_list: str, rows: Iterable[tuple[Any, ...]]) -> int:
    written = 0
    with connection.cursor() as cursor:
        # Django's cursor wrapper hands `copy` to psycopg's cursor, inside the open transaction.
        with cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                written += 1
    return written


def batches(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch
