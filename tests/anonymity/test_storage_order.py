"""Attack: submit answers in a known order, then read the response table in physical storage
order (SQLite rowid; PostgreSQL ctid and xmin) and try to line positions up with submissions."""

import json
from collections import Counter, defaultdict

import pytest
from django.db import connection

from pulse.models import Response
from pulse.sweep import sweep
from surveys.closing import close_cycle
from tests.anonymity.conftest import form_answers

pytestmark = pytest.mark.django_db


def encode(index: int) -> list[int]:
    """Four answers 1-7 that spell `index` in base 7: the attacker's marker."""
    return [index // 7**power % 7 + 1 for power in range(4)]


def decode(answers: dict, keys: list[str]) -> int:
    return sum((answers[key] - 1) * 7**power for power, key in enumerate(keys))


def spearman(ranks: list[int]) -> float:
    n = len(ranks)
    order = sorted(range(n), key=lambda i: ranks[i])
    position = {index: rank for rank, index in enumerate(order)}
    d2 = sum((i - position[i]) ** 2 for i in range(n))
    return 1 - 6 * d2 / (n * (n * n - 1))


def physical_order() -> list[tuple[dict, str, str | None]]:
    """(answers, unit name, transaction id) for every response, in storage order."""
    table = Response._meta.db_table
    xmin = "r.xmin::text" if connection.vendor == "postgresql" else "NULL"
    position = "r.ctid" if connection.vendor == "postgresql" else "r.rowid"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT r.answers, t.name, {xmin} FROM {table} r "  # noqa: S608
            f"JOIN surveys_cycleteam t ON t.id = r.reporting_unit_id ORDER BY {position}"
        )
        rows = cursor.fetchall()
    return [(a if isinstance(a, dict) else json.loads(a), unit, x) for a, unit, x in rows]


def test_storage_order_says_nothing_about_submission_order(client, survey, company) -> None:
    keys = [item.key for item in survey.cycle.items.all()]
    submitted = company["platform"] + company["data"]
    for index, engineer in enumerate(submitted):
        response = client.post(
            f"/a/{survey.token(engineer.email)}/", form_answers(survey, encode(index))
        )
        assert response.status_code == 200

    sweep()  # the pool mix moves some ballots while the survey is open
    close_cycle(cycle_id=survey.cycle.pk)
    sweep()  # and the rest at close
    rows = physical_order()
    assert len(rows) == len(submitted)

    arrival_in_storage_order = defaultdict(list)
    transaction_ids = defaultdict(list)
    for answers, unit, xmin in rows:
        arrival_in_storage_order[unit].append(decode(answers, keys))
        transaction_ids[unit].append(xmin)
    assert set(arrival_in_storage_order) == {"Platform", "Data"}
    for unit, arrivals in arrival_in_storage_order.items():
        rho = spearman(arrivals)
        # Under a fair shuffle of 30, |rho| > 0.6 happens about once in a thousand runs;
        # storing in arrival order would give exactly 1.
        assert abs(rho) < 0.6, f"{unit}: storage order follows submission order (rho={rho:.2f})"
        in_place = sum(
            1 for position, arrival in enumerate(arrivals) if arrival == sorted(arrivals)[position]
        )
        assert in_place <= 6, (
            f"{unit}: {in_place} of {len(arrivals)} rows sit at their arrival position"
        )
        if connection.vendor == "postgresql":
            # Rows stored by one transaction share its id: each such batch holds at least k.
            batch_sizes = Counter(transaction_ids[unit])
            assert min(batch_sizes.values()) >= survey.cycle.k, batch_sizes
