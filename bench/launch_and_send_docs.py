"""Writes the figures of bench/launch_and_send.py into docs/benchmarks.md.

The section "Cycle launch and sending" holds one table row per database and people count; a run
replaces its own row, keeps the others, and rewrites the text around them.
"""

import os
import platform
import textwrap
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "benchmarks.md"
SECTION = "## Cycle launch and sending"


@dataclass
class Figures:
    database: str
    people: int
    teams: int
    depth: int
    teams_below_k: int
    sync_seconds: float
    launch_seconds: float
    launch_queries: int
    launch_query_summary: str
    invited: int
    emails: int
    batch_size: int
    rounds: int
    sink_rate: float
    pulse_rate: float
    send_queries: int
    message_bytes: int


def database_label(database: str) -> str:
    from django.db import connection

    if database == "postgres":
        version = connection.cursor().connection.info.server_version  # e.g. 150020
        return f"PostgreSQL {version // 10000}.{version % 100}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}"


def machine() -> str:
    memory_kib = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    return (
        f"{os.cpu_count()} cores, {memory_kib / 2**20:.0f} GiB RAM, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}"
    )


def table_row(figures: Figures, label: str) -> str:
    cells = [
        label,
        f"{figures.people:,}",
        f"{figures.teams:,} ({figures.teams_below_k:,})",
        str(figures.depth),
        f"{figures.launch_seconds:.1f} s",
        f"{figures.launch_queries:,}",
        f"{figures.emails:,}",
        f"{figures.sink_rate:,.0f}/s",
        f"{figures.pulse_rate:,.0f}/s",
        f"{figures.pulse_rate / figures.sink_rate:.0%}",
        f"{figures.send_queries / figures.emails:.2f}",
    ]
    return "| " + " | ".join(cells) + " |"


HEADER = (
    "| Database | People | Teams (below k=5) | Team levels | Launch | Launch queries | Emails sent "
    "| Sink rate | Pulse rate | Pulse / sink | Send queries per email |\n"
    "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
)


def row_key(row: str) -> tuple[str, str]:
    """(database kind, people) of a table row: a new run replaces only its own row."""
    cells = [cell.strip() for cell in row.strip().strip("|").split("|")]
    return cells[0].split()[0], cells[1]


def command_of(row: str) -> str:
    cells = [cell.strip() for cell in row.strip().strip("|").split("|")]
    database = "postgres" if cells[0].startswith("PostgreSQL") else "sqlite"
    people, emails = cells[1].replace(",", ""), cells[6].replace(",", "")
    return (
        f"    .venv/bin/python bench/launch_and_send.py --people {people} "
        f"--database {database} --send {emails}"
    )


def sending_paragraph(figures: Figures) -> str:
    return textwrap.fill(
        f"Sending covers {figures.emails:,} invitations of each launched cycle (any others are "
        f"marked as already emailed), in batches of {figures.batch_size} (the default "
        f"PULSE_EMAIL_BATCH_SIZE), with messages of {figures.message_bytes:,} bytes. The machine "
        "is a shared virtual one whose speed drifts by tens of percent within a minute, so the "
        f"sink and Pulse alternate in {figures.rounds} rounds (each round releases its share of "
        "the invitations for `send_owed()`) and the table compares the totals; repeated runs "
        "still differ by several percent.",
        width=96,
    )


def section(rows: list[str], figures: Figures) -> str:
    commands = "\n".join(command_of(row) for row in rows)
    return (
        f"""{SECTION}

`bench/launch_and_send.py` builds a synthetic organisation in a fresh database (reporting lines
grown breadth-first, spans of 5-10 and, for one team in twelve below the top two levels, 2-4;
a few reports are individual contributors), runs `sync_teams()`, and measures:

- **Launch**: `launch_now()` for a monthly cadence over the whole organisation, in one
  transaction: items frozen, org snapshot with reporting units, one invitation per person.
  Goal: under 60 s at 100,000 people on SQLite and on PostgreSQL, with a number of SQL
  statements that grows with the number of bulk batches, not with the number of people.
- **Sending**: an aiosmtpd sink on 127.0.0.1 (its `Controller` thread, in the benchmark's
  process) accepts, counts and discards every message. The sink rate is one smtplib connection
  sending prebuilt copies of one of our invitation emails. The Pulse rate is `send_owed()` over
  the same number of invitations of the launched cycle, through Django's SMTP backend: claim a
  batch with a conditional update, store one token digest per email, render, send the batch
  over one SMTP connection, mark each email sent as it leaves. Goal: Pulse at least 50 % of
  the sink rate.

Commands (DEBUG off; SQLite in a temporary folder, PostgreSQL in the database
`pulse_bench_launch` of the local server on 127.0.0.1:5432):

{commands}

Machine: {machine()}.

{sending_paragraph(figures)}

{HEADER}
"""
        + "\n".join(rows)
        + """

Notes:

- Launch statements: PostgreSQL inserts 2,000 rows per statement. On SQLite, Django keeps each
  statement under 999 parameters, which makes one INSERT per 111 invitations; still nothing is
  queried per person.
- Send statements: one UPDATE per email (the "sent" mark; on PostgreSQL prepared once per
  batch and run with EXECUTE), plus about ten per batch (claim, tokens, the batch's rows).
  The marks commit without waiting for the disk (`synchronous_commit = off`, or SQLite's
  `synchronous = NORMAL` in WAL mode) for the length of the batch; the token digests commit
  durably before any link leaves.
- The PostgreSQL server used here runs with autovacuum off; before sending, the benchmark runs
  `VACUUM (ANALYZE)` once, outside the timings, as autovacuum would have.
- The sink and Pulse share one interpreter, as the sink and smtplib do in the sink's own
  measurement, so both rates include the sink's work.
"""
    )


def write_docs(figures: Figures, label: str) -> None:
    text = DOCS.read_text() if DOCS.exists() else "# Benchmarks\n"
    start = text.find(SECTION)
    if start == -1:
        before, after, rows = text.rstrip("\n") + "\n\n", "", []
    else:
        end = text.find("\n## ", start + len(SECTION))
        end = len(text) if end == -1 else end + 1
        before, after = text[:start], text[end:]
        rows = [
            line
            for line in text[start:end].splitlines()
            if line.startswith("| ") and not line.startswith("| Database")
        ]
    row = table_row(figures, label)
    rows = [existing for existing in rows if row_key(existing) != row_key(row)] + [row]
    rows.sort(key=lambda line: (row_key(line)[0], int(row_key(line)[1].replace(",", ""))))
    DOCS.parent.mkdir(exist_ok=True)
    DOCS.write_text(before + section(rows, figures) + ("\n" + after if after else ""))
    print(f"Wrote {DOCS.relative_to(ROOT)}")
