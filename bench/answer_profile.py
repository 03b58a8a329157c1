"""Where the server's time goes in one visit (and one JSON answer), measured in-process.

Used by bench/answer_throughput.py once gunicorn has stopped: the requests its clients send go
through Django's test client in the benchmark's own process (same settings, same PostgreSQL
database). The functions named in PARTS are wrapped for the run with two clocks each (wall
time, what the respondent waits for, and the process's CPU time, what limits throughput and
leaves out the waits for PostgreSQL and Redis); a wrapper costs about a microsecond, so,
unlike a profiler, it barely changes what it measures.
"""

import importlib
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only for the type: answer_throughput imports this module
    from bench.answer_throughput import Call

# (label, module, attribute): the name each part is called by, where the answer path looks it
# up; in the order a request meets them. Indented parts run inside the one above.
PARTS = (
    (
        "Django's handler: the whole request",
        "django.core.handlers.base",
        "BaseHandler.get_response",
    ),
    ("link-guessing check (Redis)", "pulse.answer_views", "refuse_unknown_link"),
    ("link-guessing check (Redis)", "pulse.api", "refuse_unknown_link"),
    ("door, read: look_up(token)", "pulse.answer_views", "look_up"),
    ("answer form built", "pulse.answer_views", "answer_form"),
    ("cast_answers: the door's transaction", "pulse.answer_views", "cast_answers"),
    ("cast_answers: the door's transaction", "pulse.api", "cast_answers"),
    ("&nbsp;&nbsp;door, write: redeem(token)", "pulse.ballot_box", "redeem"),
    ("&nbsp;&nbsp;answers checked (serializer)", "pulse.ballot_box", "checked_sheet"),
    ("&nbsp;&nbsp;sealing (X25519 + AES-GCM, 12 KiB)", "pulse.ballot_box", "seal"),
    ("&nbsp;&nbsp;sealed ballot INSERT (ORM)", "django.db.models.query", "QuerySet.create"),
    ("template rendered (page or thank-you)", "pulse.answer_views", "render"),
    ("every SQL statement, commit included", "django.db.backends.utils", "CursorWrapper.execute"),
    (
        "every SQL statement, commit included",
        "django.db.backends.base.base",
        "BaseDatabaseWrapper.commit",
    ),
)
COLUMNS = ("visit GET", "visit POST", "API POST")


@contextmanager
def clocked(spent: dict[str, list[float]]) -> Iterator[None]:
    """Wrap every part for the duration; `spent[label]` accumulates [wall, CPU] seconds."""
    undo = []
    for label, module_name, attribute in PARTS:
        owner = importlib.import_module(module_name)
        *path, name = attribute.split(".")
        for step in path:
            owner = getattr(owner, step)
        original = getattr(owner, name)
        spent.setdefault(label, [0.0, 0.0])
        setattr(owner, name, timed(original, spent[label]))
        undo.append((owner, name, original))
    try:
        yield
    finally:
        for owner, name, original in reversed(undo):
            setattr(owner, name, original)


def timed(function: Callable, total: list[float]) -> Callable:
    depth = [0]  # a part that calls itself counts once

    def wrapper(*args: object, **kwargs: object) -> object:
        depth[0] += 1
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            depth[0] -= 1
            if depth[0] == 0:
                total[0] += time.perf_counter() - wall
                total[1] += time.process_time() - cpu

    return wrapper


def profile_visits(tokens: list[str], keys: list[str], visit: Callable, api: Callable) -> dict:
    """Half of `tokens` timed whole, half with the parts clocked; each pair of tokens is one
    visit (GET and POST) and one JSON answer. Returns per-request figures by column."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")

    def send(call: "Call") -> None:
        headers = {name: value for name, value in call.headers if name != "Content-Type"}
        kind = dict(call.headers).get("Content-Type", "")
        response = client.generic(
            call.method, call.path, call.body, content_type=kind, headers=headers
        )
        if response.status_code != call.status or call.marker not in response.content:
            raise SystemExit(f"{call.method} {call.path[:3]}: {response.status_code}")

    def requests(token: str, answer_token: str) -> list:
        return [*visit(token, keys), *api(answer_token, keys)]

    pairs = list(zip(tokens[0::2], tokens[1::2], strict=True))
    timed_whole, clocked_parts = pairs[: len(pairs) // 2], pairs[len(pairs) // 2 :]
    for pair in timed_whole[:5]:  # warm up
        for call in requests(*pair):
            send(call)
    walls: list[list[float]] = [[] for _ in COLUMNS]
    cpus: list[list[float]] = [[] for _ in COLUMNS]
    for pair in timed_whole[5:-1]:
        for column, call in enumerate(requests(*pair)):
            wall, cpu = time.perf_counter(), time.process_time()
            send(call)
            walls[column].append(time.perf_counter() - wall)
            cpus[column].append(time.process_time() - cpu)
    with CaptureQueriesContext(connection) as queries:
        statements = []
        for call in requests(*timed_whole[-1]):
            before = len(queries.captured_queries)
            send(call)
            statements.append(len(queries.captured_queries) - before)
        shapes = [statement_shape(query["sql"]) for query in queries.captured_queries]
    spent: list[dict[str, list[float]]] = [{} for _ in COLUMNS]
    for pair in clocked_parts:
        for column, call in enumerate(requests(*pair)):
            with clocked(spent[column]):
                send(call)
    per_request = 1000 / len(clocked_parts)
    return {
        "visits": len(pairs),
        "keys": keys,
        "timed": len(timed_whole) - 6,
        "clocked": len(clocked_parts),
        "wall": [statistics.mean(values) * 1000 for values in walls],
        "wall_median": [statistics.median(values) * 1000 for values in walls],
        "cpu": [statistics.mean(values) * 1000 for values in cpus],
        "statements": statements,
        "shapes": shapes,
        "parts": [
            {label: [value * per_request for value in both] for label, both in column.items()}
            for column in spent
        ],
    }


def statement_shape(sql: str) -> str:
    """The statement's verb and table, never its values (they hold link digests)."""
    words = sql.replace('"', "").split()
    for verb, before in (("UPDATE", "UPDATE"), ("INSERT", "INTO"), ("SELECT", "FROM")):
        if before in words:
            return f"{verb} {words[words.index(before) + 1]}"
    return words[0]


def profile_table(profile: dict) -> str:
    columns = [f"{column}, {clock}" for column in COLUMNS for clock in ("wall", "CPU")]
    header = "| ms per request | " + " | ".join(columns) + " |\n| --- |" + " --- |" * len(columns)

    def row(label: str, values: list[str]) -> str:
        return f"| {label} | " + " | ".join(values) + " |"

    def ms(value: float) -> str:
        return f"{value:.2f}" if value >= 0.005 else "-"

    means = [cell for pair in zip(profile["wall"], profile["cpu"], strict=True) for cell in pair]
    rows = [
        row(f"whole request, parts not clocked ({profile['timed']} of each)", list(map(ms, means))),
        row(
            "(median wall)", [cell for value in profile["wall_median"] for cell in (ms(value), "")]
        ),
        row("SQL statements", [f"{count}" for count in profile["statements"] for _ in "ab"]),
        row(f"*parts clocked ({profile['clocked']} of each):*", [""] * len(columns)),
    ]
    for label in dict.fromkeys(label for label, _, _ in PARTS):
        values = [ms(clock) for column in profile["parts"] for clock in column[label]]
        rows.append(row(label, values))
    shapes = ", ".join(profile["shapes"])
    return (
        header
        + "\n"
        + "\n".join(rows)
        + f"\n\nThe statements of one visit, then one JSON answer: {shapes}."
    )
