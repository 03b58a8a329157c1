"""Dropping the dead row versions a deletion leaves, so no later copy of the database holds
what was deleted: the one implementation for the tables of every app."""

from django.db import connection


def compact(*tables: str) -> None:
    """PostgreSQL keeps a deleted row's old version (with the id of the transaction that wrote
    it) until VACUUM; SQLite has zeroed deleted rows (secure_delete, config.settings), and a
    checkpoint empties the write-ahead log of their old pages. Outside any transaction only:
    VACUUM cannot run inside one, and a test's transaction has nothing committed to compact.
    Only table names of the project's own models are passed in."""
    if connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"VACUUM {', '.join(tables)}")
        elif connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
