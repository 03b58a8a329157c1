"""Shared set-up for the benchmarks: a fresh database, the machine's description, and the
one place that writes docs/benchmarks.md."""

import os
import platform
import re
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "benchmarks.md"
POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"


def configure_django(
    database: str, scratch: Path, postgres_name: str, *, fresh: bool = True
) -> str:
    """Point Django at a fresh database with production-like settings (DEBUG off, so no query
    log); return the database URL. PostgreSQL databases are dropped and created again, unless
    `fresh` is False: then the one a bench left is kept (and migrated)."""
    if database == "postgres":
        server = postgres_server()
        if fresh:
            recreate_postgres_database(server, postgres_name)
        url = f"{server}/{postgres_name}"
    else:
        url = f"sqlite:///{scratch / 'bench.sqlite3'}"
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=url,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(48),
        PULSE_TOKEN_KEY=secrets.token_urlsafe(48),
        PULSE_BALLOT_KEY=secrets.token_urlsafe(48),
        PULSE_VAR_DIR=str(scratch),
        LOG_LEVEL="WARNING",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return url


def postgres_server() -> str:
    return os.environ.get("PULSE_BENCH_POSTGRES_SERVER", POSTGRES_SERVER)


def recreate_postgres_database(server: str, name: str, *, template: str | None = None) -> None:
    """Drop the benchmark database `name` and create it again, empty or as a copy of
    `template` (which nobody may be connected to)."""
    import psycopg

    drop_postgres_database(server, name)
    copy_of = f' TEMPLATE "{template}"' if template else ""
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"{copy_of}')


def drop_postgres_database(server: str, name: str) -> None:
    import psycopg

    if not name.startswith("pulse_bench_"):
        raise SystemExit(f"Refusing to drop {name!r}: benchmark databases start with pulse_bench_")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def machine() -> str:
    memory = ""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages / 2**30:.0f} GiB"
    except (ValueError, OSError):
        pass
    return (
        f"{platform.machine()}, {os.cpu_count()} cores{memory}, Python {platform.python_version()}"
    )


def replace_table_rows(section: str, intro: str, header: str, row: str, *, key: str) -> None:
    """Write `row` into the table of `section` in docs/benchmarks.md, replacing an earlier row
    that starts with `key` and keeping the other rows and every other section. Rows with other
    columns than `header` (an older layout of the table, its header included) are dropped: they
    would be read under the wrong headings."""
    fresh = "# Benchmarks\n\nMeasured figures only; each row names the command that produced it.\n"
    text = DOCS.read_text() if DOCS.exists() else fresh
    rows: list[str] = []
    after = ""
    if section in text:
        before, rest = text.split(section, 1)
        if "\n## " in rest:
            rest, after = rest.split("\n## ", 1)
            after = "\n## " + after
        rows = [
            line
            for line in rest.splitlines()
            if line.startswith("| ")
            and line != header
            and not line.startswith(("| ---", key))
            and columns_of(line) == columns_of(header)
        ]
    else:
        before = text.rstrip() + "\n\n"
    rows.append(row)
    separator = "|" + " --- |" * (header.count("|") - 1)
    body = f"{section}\n\n{intro}\n\n{header}\n{separator}\n" + "\n".join(rows) + "\n"
    DOCS.write_text(before + body + after)


def columns_of(line: str) -> int:
    """Cells of a Markdown table line; a `|` inside backticks (a command) is no border."""
    return re.sub(r"`[^`]*`", "", line).count("|")


def replace_section(section: str, body: str) -> None:
    """Replace everything under the heading `section` of docs/benchmarks.md (up to the next
    heading of the same level) with `body`, keeping every other section."""
    text = DOCS.read_text()
    before, rest = text.split(section, 1) if section in text else (text.rstrip() + "\n\n", "")
    after = "\n## " + rest.split("\n## ", 1)[1] if "\n## " in rest else ""
    DOCS.write_text(f"{before}{section}\n\n{body.strip()}\n{after}")
