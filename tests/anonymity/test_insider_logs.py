"""Attacks on the logs, with the operator's SQL logging on.

The operator sets every logger, `django.db.backends` included, to DEBUG for a whole cycle:
launch, sending, Grace's engineers answering by the form and Linus's analysts by the JSON API,
a tick, the close. The insider reads everything the project's handlers wrote and every record
a log shipper at the root would have received, and looks for what ties a person to an answer.
"""

import copy
import io
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client, override_settings
from django.utils import timezone

from surveys.launch import launch_now
from surveys.models import Cadence
from tests.anonymity.conftest import emailed_links
from tests.anonymity.insider import (
    MARKS_ANSWERED,
    ON_ANSWER_TABLES,
    PENDING_BALLOTS,
    TOKENS,
    Answer,
    SearchableText,
    close_and_tick,
    every_token_emailed,
    everything_logged_at_debug,
    take_dump,
    tick,
)

SECRET_COMMENT = "the offsite in Lisbon made me feel left out"


@pytest.mark.django_db
def test_a_whole_cycle_with_sql_logging_on_logs_no_link_no_redemption_and_no_answer_statement(
    company,
) -> None:
    with everything_logged_at_debug() as logs:
        cadence = Cadence.objects.create(name="Monthly pulse", kind="monthly")
        cycle = launch_now(cadence=cadence, now=timezone.now())
        tick()  # sends the invitations
        links = emailed_links()
        digests = {row.binary() for row in take_dump().rows(TOKENS)}
        for index, engineer in enumerate(company["platform"][:8]):
            Answer(engineer.email, index, comment=f"{SECRET_COMMENT} ({index})").send(links)
        for index, analyst in enumerate(company["data"][:4], start=8):
            Answer(analyst.email, index, by_json=True, enps=3, comment=SECRET_COMMENT).send(links)
        sealed = {row.binary() for row in take_dump().rows(PENDING_BALLOTS)}
        tick()
        close_and_tick(cycle.pk)
        # Late clicks, as emailed (the cycle's public id beside the token): "Gone" is logged.
        for engineer in company["platform"][8:12]:
            late = Client().get(f"/a/{cycle.public_id}/{links[engineer.email]}/")
            assert late.status_code == 410

    records = logs.keeper.records
    sql_records = [record for record in records if record.name == "django.db.backends"]
    assert len(sql_records) > 100, "SQL logging was on"
    assert len(digests) >= 12 and len(sealed) >= 1

    logged = SearchableText(logs.text())
    problems = []
    tokens = every_token_emailed()
    leaked_tokens = [token for token in tokens if token in logged.text]
    if leaked_tokens:
        problems.append(f"{len(leaked_tokens)} of {len(tokens)} emailed tokens are in the logs")
    leaked_digests = [digest for digest in digests if logged.shows_bytes(digest)]
    if leaked_digests:
        problems.append(f"{len(leaked_digests)} of {len(digests)} link digests are in the logs")
    leaked_ballots = [ballot for ballot in sealed if logged.shows_bytes(ballot)]
    if leaked_ballots:
        problems.append(f"{len(leaked_ballots)} of {len(sealed)} sealed ballots are in the logs")
    if "Gone: /a/[redacted]" not in logged.text:
        problems.append("the late clicks were not logged, redacted")
    if "Lisbon" in logged.text:
        problems.append("a comment is in the logs")

    statements = []
    for record in sql_records:
        statements.append(record.getMessage())
        if vars(record).get("sql"):
            statements.append(str(vars(record)["sql"]))
    redemptions = [s for s in statements if MARKS_ANSWERED.search(s)]
    if redemptions:
        problems.append(
            f"{len(redemptions)} logged statements mark an invitation answered, e.g. "
            f"{redemptions[0][:300]!r}"
        )
    on_answers = [s for s in statements if ON_ANSWER_TABLES.search(s)]
    if on_answers:
        problems.append(
            f"{len(on_answers)} logged statements touch the answer tables, e.g. "
            f"{on_answers[0][:300]!r}"
        )
    assert not problems, "\n".join(problems)


def logging_with_sql_at_debug() -> dict[str, Any]:
    config: dict[str, Any] = copy.deepcopy(dict(settings.LOGGING))
    config.setdefault("loggers", {})["django.db.backends"] = {"level": "DEBUG"}
    return config


def check_output(**overrides: object) -> str:
    output = io.StringIO()
    with override_settings(**overrides):
        call_command("check", stdout=output, stderr=output)
    return output.getvalue()


@pytest.fixture
def sql_logger_at_debug() -> Iterator[None]:
    """As LOGGING with django.db.backends at DEBUG would leave the live logger."""
    logger = logging.getLogger("django.db.backends")
    level = logger.level
    logger.setLevel(logging.DEBUG)
    yield
    logger.setLevel(level)


def test_manage_py_check_is_quiet_about_sql_logging_when_it_is_off() -> None:
    assert "django.db.backends" not in check_output(DEBUG=True)
    assert "django.db.backends" not in check_output(DEBUG=False)


def test_manage_py_check_warns_in_debug_when_sql_is_logged_at_debug(sql_logger_at_debug) -> None:
    output = check_output(DEBUG=True, LOGGING=logging_with_sql_at_debug())
    assert "django.db.backends" in output, f"no warning about SQL logging:\n{output}"
    assert "WARNING" in output


def test_manage_py_check_fails_outside_debug_when_sql_is_logged_at_debug(
    sql_logger_at_debug,
) -> None:
    with pytest.raises(SystemCheckError, match=r"django\.db\.backends"):
        check_output(DEBUG=False, LOGGING=logging_with_sql_at_debug())
