"""Attacks on what a closed survey leaves in storage: the physical order of the invitation rows,
and old row versions (PostgreSQL's dead tuples, deleted bytes in SQLite's file and its -wal).

Forty of Grace's and Linus's sixty people answer in a random order, half of them after a
reminder; then the survey closes. The insider holds the dump after close and the database
files, and the earlier dumps taken while it was open.
"""

import itertools
import random
from datetime import timedelta

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from tests.anonymity.conftest import emailed_links
from tests.anonymity.insider import (
    INVITATIONS,
    PENDING_BALLOTS,
    TOKENS,
    Answer,
    Dump,
    close_and_tick,
    database_file_bytes,
    kendall_tau,
    needs_postgres,
    needs_sqlite,
    take_dump,
    tick,
)

# Columns that name the invitation, not what became of it.
WHO_IS_INVITED = {"id", "person_id", "cycle_id", "reporting_unit_id"}
# Under a random order of 40 people Kendall's tau is close to normal with standard deviation
# sqrt(2(2n+5) / (9n(n-1))) = 0.110; |tau| >= 0.5 is 4.5 standard deviations out, which a
# random order reaches with probability about 5.5e-6. Keeping the answering order gives 1.
TAU_LIMIT = 0.5
# Whether the storage order keeps people with one history together (answered before the
# reminder, after it, never): the Wald-Wolfowitz runs test on each class's membership along the
# storage order. A random order gives |z| >= 4.5 with probability about 7e-6 per class (normal
# approximation; classes of 20, 20 and 29 among 69), so about 2e-5 for the three.
RUNS_Z_LIMIT = 4.5


def history_of(person_id: int, answer_rank: dict[int, int]) -> str:
    if person_id not in answer_rank:
        return "never answered"
    return "answered before the reminder" if answer_rank[person_id] < 20 else "answered after it"


def runs(sequence: list[bool]) -> int:
    return 1 + sum(1 for a, b in itertools.pairwise(sequence) if a != b)


def runs_z_score(sequence: list[bool]) -> float:
    ones = sum(sequence)
    zeros = len(sequence) - ones
    if not ones or not zeros:
        return 0.0
    n = ones + zeros
    mean = 2 * ones * zeros / n + 1
    variance = (mean - 1) * (mean - 2) / (n - 1)
    return (runs(sequence) - mean) / variance**0.5


def answer_in_two_waves(survey, company, seed: int) -> tuple[list, list[Dump]]:
    """Forty people answer in a random order: twenty at once, twenty after the reminder."""
    people = company["platform"] + company["data"]
    answerers = random.Random(seed).sample(people, 40)
    dumps = []
    for index, person in enumerate(answerers[:20]):
        Answer(person.email, index, by_json=index % 2 == 0, comment=f"n{index}").send(survey.links)
        if index % 5 == 4:
            tick()
            dumps.append(take_dump())
    with time_machine.travel(timezone.now() + timedelta(days=3, hours=1), tick=True):
        tick()  # the first reminder wave: fresh links to everyone who has not answered
        links = emailed_links()
        for index, person in enumerate(answerers[20:], start=20):
            Answer(person.email, index, by_json=index % 2 == 1, comment=f"n{index}").send(links)
            if index % 5 == 4:
                tick()
                dumps.append(take_dump())
        close_and_tick(survey.cycle.pk)
    dumps.append(take_dump())
    return answerers, dumps


@pytest.mark.django_db(transaction=True)
def test_after_close_the_invitation_rows_keep_neither_who_answered_nor_in_what_order(
    item_catalogue, survey, company
) -> None:
    answerers, dumps = answer_in_two_waves(survey, company, seed=20261201)
    closed = [row for row in dumps[-1].rows(INVITATIONS) if row["cycle_id"] == survey.cycle.pk]
    answered_people = {person.pk for person in answerers}
    problems = []

    for column in sorted(set().union(*(row.values for row in closed)) - WHO_IS_INVITED):
        of_answerers = {row[column] for row in closed if row["person_id"] in answered_people}
        of_the_others = {row[column] for row in closed if row["person_id"] not in answered_people}
        if of_answerers and of_the_others and of_answerers != of_the_others:
            problems.append(
                f"column {column} tells answerers ({sorted(map(str, of_answerers))}) from the "
                f"others ({sorted(map(str, of_the_others))})"
            )

    answer_rank = {person.pk: rank for rank, person in enumerate(answerers)}
    orders = {
        "plain dump order": closed,
        "ctid" if connection.vendor == "postgresql" else "rowid": sorted(
            closed, key=lambda row: row.position
        ),
    }
    for name, rows in orders.items():
        in_storage = [row["person_id"] for row in rows if row["person_id"] in answer_rank]
        if len(in_storage) < 30:
            continue  # the rows are gone: no order to read
        tau = kendall_tau(list(range(len(in_storage))), [answer_rank[p] for p in in_storage])
        if abs(tau) >= TAU_LIMIT:
            problems.append(f"{name} follows the answering order (Kendall tau {tau:.2f})")
        for label in ("answered before the reminder", "answered after it", "never answered"):
            in_class = [history_of(row["person_id"], answer_rank) == label for row in rows]
            z = runs_z_score(in_class)
            if abs(z) >= RUNS_Z_LIMIT:
                problems.append(
                    f"{name} keeps together the people who {label} "
                    f"({runs(in_class)} runs, z = {z:.1f})"
                )
    assert not problems, "\n".join(problems)


@pytest.mark.django_db(transaction=True)
def test_after_close_the_sqlite_files_hold_no_sealed_ballot_and_no_link_digest_seen_before(
    item_catalogue, survey, company
) -> None:
    needs_sqlite()
    open_dump = take_dump()
    digests = {row.binary() for row in open_dump.rows(TOKENS)}
    assert any(digest in database_file_bytes() for digest in digests), (
        "the search finds live digests in the file"
    )
    _, dumps = answer_in_two_waves(survey, company, seed=7)
    sealed = {row.binary() for dump in dumps[:-1] for row in dump.rows(PENDING_BALLOTS)}
    digests |= {row.binary() for dump in dumps[:-1] for row in dump.rows(TOKENS)}
    assert sealed and len(digests) > 60

    files = database_file_bytes()
    kept_ballots = [ballot for ballot in sealed if ballot in files]
    kept_digests = [digest for digest in digests if digest in files]
    assert not kept_ballots and not kept_digests, (
        f"the database file and its -wal still hold {len(kept_ballots)} of {len(sealed)} sealed "
        f"ballots and {len(kept_digests)} of {len(digests)} link digests"
    )


def row_versions_with_data(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM generate_series(0, "
            "  (pg_relation_size(%s) / current_setting('block_size')::int)::int - 1) AS block, "
            "  LATERAL heap_page_items(get_raw_page(%s, block)) AS item "
            "WHERE item.lp_flags = 1 AND item.t_data IS NOT NULL",
            [table, table],
        )
        return cursor.fetchone()[0]


def live_rows(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608
        return cursor.fetchone()[0]


def dead_row_versions(table: str) -> int:
    return row_versions_with_data(table) - live_rows(table)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_after_close_no_dead_version_of_a_ballot_an_invitation_or_a_link_remains(
    item_catalogue, survey, company
) -> None:
    needs_postgres()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
    except DatabaseError as error:
        pytest.skip(f"pageinspect is not available to read dead tuples: {error}")
    for index, person in enumerate(company["leads"][:6], start=100):
        Answer(person.email, index).send(survey.links)
    assert dead_row_versions(INVITATIONS) > 0, "the count sees the versions answering left"

    answer_in_two_waves(survey, company, seed=11)
    dead = {table: dead_row_versions(table) for table in (PENDING_BALLOTS, INVITATIONS, TOKENS)}
    assert dead == dict.fromkeys(dead, 0), f"dead row versions left after close: {dead}"
