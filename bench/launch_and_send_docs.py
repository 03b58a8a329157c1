"""Writes the figures of bench/launch_and_send.py into docs/benchmarks.md.

The section "Cycle launch and sending" holds one table row per database and people count; a run
replaces its own row, keeps the others, and rewrites the text around them with its own details.
"""

import statistics
import textwrap
from dataclasses import dataclass

from bench.common import DOCS, ROOT, machine

SECTION = "## Cycle launch and sending"
HEADER = (
    "| Database | People | Teams (below k=5) | Launch | Senders | Sink | Baseline rate "
    "| Pulse rate | Pulse / baseline | Wave: sending time | Queries per email |\n"
    "|---|--:|--:|--:|--:|---|--:|--:|--:|--:|--:|"
)


@dataclass(frozen=True)
class Round:
    kind: str  # "baseline" (plain clients) or "pulse"
    messages: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.messages / self.seconds


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
    invited: int
    batch_size: int
    senders: int
    sink_kind: str
    sink_rates: dict[str, float]
    rounds: list[Round]
    wave_wall_seconds: float
    send_queries: int
    message_bytes: int
    load_average: str

    def of(self, kind: str) -> list[Round]:
        return [r for r in self.rounds if r.kind == kind]

    def rate(self, kind: str) -> float:
        rounds = self.of(kind)
        return sum(r.messages for r in rounds) / sum(r.seconds for r in rounds)

    @property
    def sending_seconds(self) -> float:
        return sum(r.seconds for r in self.of("pulse"))

    @property
    def round_ratios(self) -> list[float]:
        # Each Pulse round against the baseline round just before it.
        return [
            p.rate / b.rate for p, b in zip(self.of("pulse"), self.of("baseline"), strict=False)
        ]


def database_label(database: str) -> str:
    from django.db import connection

    if database == "postgres":
        version = connection.cursor().connection.info.server_version  # e.g. 150020
        return f"PostgreSQL {version // 10000}.{version % 100}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}"


def table_row(figures: Figures, label: str) -> str:
    cells = [
        label,
        f"{figures.people:,}",
        f"{figures.teams:,} ({figures.teams_below_k:,})",
        f"{figures.launch_seconds:.1f} s",
        str(figures.senders),
        figures.sink_kind,
        f"{figures.rate('baseline'):,.0f}/s",
        f"{figures.rate('pulse'):,.0f}/s",
        f"{figures.rate('pulse') / figures.rate('baseline'):.0%}",
        f"{figures.sending_seconds / 60:.1f} min",
        f"{figures.send_queries / figures.people:.2f}",
    ]
    return "| " + " | ".join(cells) + " |"


def row_key(row: str) -> tuple[str, str]:
    cells = [cell.strip() for cell in row.strip().strip("|").split("|")]
    return cells[0].split()[0], cells[1]


def details(figures: Figures, label: str) -> str:
    ratios = figures.round_ratios
    sinks = ", ".join(f"{kind} {rate:,.0f}/s" for kind, rate in figures.sink_rates.items())
    return textwrap.fill(
        f"Latest run ({label}, {figures.people:,} people, load average {figures.load_average} "
        f"at its end): the sinks took {sinks} from {figures.senders} plain clients, so the "
        f"{figures.sink_kind} sink took the wave. {figures.people:,} emails of "
        f"{figures.message_bytes:,} bytes in batches of {figures.batch_size} went out in "
        f"{len(figures.of('pulse'))} Pulse rounds, {figures.sending_seconds:.0f} s of sending "
        f"({figures.wave_wall_seconds:.0f} s with the {len(figures.of('baseline'))} baseline "
        f"rounds between them); launch {figures.launch_seconds:.1f} s in "
        f"{figures.launch_queries} queries, so launch plus sending took "
        f"{(figures.launch_seconds + figures.sending_seconds) / 60:.1f} min. Pulse's rate "
        f"against the baseline round before it ranged {min(ratios):.0%}-{max(ratios):.0%} "
        f"(median {statistics.median(ratios):.0%}).",
        width=96,
    )


def machine_line() -> str:
    return textwrap.fill(
        f"Machine: {machine()}. It is shared: other work ran on it during the run (see the load "
        "average below), in the baseline and Pulse rounds alike.",
        width=96,
    )


def section(rows: list[str], figures: Figures, label: str) -> str:
    command = (
        f"    .venv/bin/python bench/launch_and_send.py --people {figures.people} "
        f"--database {figures.database} --senders {figures.senders}"
    )
    return (
        f"""{SECTION}

`bench/launch_and_send.py` builds a synthetic organisation in a fresh database (reporting lines
grown breadth-first, spans of 5-10 and, for one team in twelve below the top two levels, 2-4;
a few reports are individual contributors), runs `sync_teams()`, and measures:

- **Launch**: `launch_now()` for a monthly cadence over the whole organisation, in one
  transaction: items frozen, org snapshot with reporting units, one invitation per person.
- **Sending the whole wave**: every invitation of the launched cycle, sent by the real sending
  service (`send_owed()`: claim a batch with a conditional update, mint its links in one
  transaction that holds the cycle `FOR SHARE`, render each email with Django's templates,
  send the batch as `EmailMultiAlternatives` over one SMTP connection, mark each email sent as
  it leaves) in sender processes of their own, to an SMTP sink in a process of its own
  (`bench/smtp_sink.py`). The baseline is the sink's raw rate: as many plain smtplib clients
  as senders, sending a pre-rendered copy of one invitation over one connection per batch.
  Baseline and Pulse rounds alternate (baseline, Pulse, baseline, ..., baseline) and the table
  compares the totals. Two sinks are measured first, each in its own process: a minimal
  asyncio one and aiosmtpd; the faster takes the wave. Goal: the whole wave within 15 minutes.

Command (DEBUG off; PostgreSQL in the database `pulse_bench_sending` of the local server on
127.0.0.1:5432, dropped and created again):

{command}

{machine_line()}

{HEADER}
"""
        + "\n".join(rows)
        + f"""

{details(figures, label)}

Notes:

- One UPDATE per email (the "sent" mark, committed on its own so that a killed sender repeats
  at most the email in flight), plus about ten statements per batch (claim, the batch's rows,
  the cycle, the locked link insert).
- The PostgreSQL server used here runs with autovacuum off; after launch, the benchmark runs
  `VACUUM (ANALYZE)` once, outside the timings, as autovacuum would have.
- Senders, clients, the sink and the database share the machine's cores, in both kinds of
  round alike.
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
        header_cells = HEADER.splitlines()[0]
        old = text[start:end]
        # Rows of an earlier table layout measured an earlier sending path: not kept.
        rows = [
            line
            for line in old.splitlines()
            if header_cells in old and line.startswith("| ") and not line.startswith("| Database")
        ]
    row = table_row(figures, label)
    rows = [existing for existing in rows if row_key(existing) != row_key(row)] + [row]
    DOCS.write_text(before + section(rows, figures, label) + ("\n" + after if after else ""))
    print(f"Wrote {DOCS.relative_to(ROOT)}")
