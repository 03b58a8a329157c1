"""What one visit asks of the database: an engineer opens the link (one read) and answers (the
link read once more, the cycle held open, the invitation marked used, the sealed ballot
stored). A busy survey morning is hundreds of these a second, so a statement more is felt."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pulse.models import PendingBallot
from tests.anonymity.conftest import form_answers

pytestmark = pytest.mark.django_db


def statements_of(captured: CaptureQueriesContext) -> list[str]:
    """The statements sent, without the savepoints of the test's own transaction."""
    return [
        query["sql"]
        for query in captured.captured_queries
        if not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]


def test_opening_the_link_is_one_read_and_answering_it_four_statements(
    client, survey, company
) -> None:
    token = survey.token(company["platform"][0].email)
    with CaptureQueriesContext(connection) as page:
        assert client.get(f"/a/{token}/").status_code == 200
    assert len(statements_of(page)) == 1, statements_of(page)

    answers = form_answers(survey, [6, 5, 7, 6], enps=9)
    with CaptureQueriesContext(connection) as answer:
        assert client.post(f"/a/{token}/", answers).status_code == 200
    statements = statements_of(answer)
    assert len(statements) == 4, statements
    read, lock, mark_used, store = statements
    assert read.startswith("SELECT") and "surveys_cycleitem" in read
    assert lock.startswith("SELECT 1 FROM") and "surveys_cycle" in lock
    assert mark_used.startswith('UPDATE "surveys_invitation"')
    assert store.startswith('INSERT INTO "pulse_pendingballot"')
    assert PendingBallot.objects.count() == 1
