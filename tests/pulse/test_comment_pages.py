"""A unit's comments come a page at a time: every page the same size and the same cost, the
pages together every released comment once, in the same random order on every visit."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

import pulse.comment_pages
from pulse.models import ReleasedUnit
from pulse.scheduler import run_pulse_tick
from surveys.closing import close_cycle
from tests.anonymity.conftest import form_answers
from tests.support.hr_logins import outside_hr_login

pytestmark = pytest.mark.django_db
MORE = re.compile(r'<a href="(\?[^"]*comments_from=[^"]*)">More comments</a>')
COMMENT = re.compile(r"<li>(Comment \d+)</li>")


def test_hr_reads_platforms_25_comments_ten_at_a_time_and_each_once(
    client, survey, company, django_user_model, monkeypatch
) -> None:
    hannah = outside_hr_login("hr@example.com")
    for number, engineer in enumerate(company["platform"][:25]):
        answer = form_answers(survey, [6, 5, 6, 5], comment=f"Comment {number}")
        response = client.post(f"/a/{survey.token(engineer.email)}/", answer)
        assert response.status_code == 200
    close_cycle(cycle_id=survey.cycle.pk)
    assert run_pulse_tick().released == [survey.cycle.pk]
    platform = ReleasedUnit.objects.get(cycle=survey.cycle, unit__name="Platform")
    assert platform.comments_released
    monkeypatch.setattr(pulse.comment_pages, "COMMENTS_PER_PAGE", 10)
    client.force_login(hannah)

    address = f"/dashboard/?cycle={survey.cycle.pk}&unit={platform.unit_id}"
    pages, queries = [], []
    while address:
        with CaptureQueriesContext(connection) as captured:
            page = client.get(address).content.decode()
        queries.append(len(captured))
        pages.append(COMMENT.findall(page))
        more = MORE.search(page)
        address = "/dashboard/" + html.unescape(more.group(1)) if more else ""

    assert [len(page) for page in pages] == [10, 10, 5]
    shown = [text for page in pages for text in page]
    assert sorted(shown) == sorted(f"Comment {number}" for number in range(25))
    # A later page costs no more than the first (which also loads the signed-in session).
    assert len(queries) == 3 and max(queries[1:]) <= queries[0]
    first_again = COMMENT.findall(
        client.get(f"/dashboard/?cycle={survey.cycle.pk}&unit={platform.unit_id}").content.decode()
    )
    assert first_again == pages[0]  # the order is random, but the same on every visit


def test_a_page_of_comments_that_names_no_comment_is_not_found(
    client, survey, company, django_user_model
) -> None:
    hannah = outside_hr_login("hr@example.com")
    close_cycle(cycle_id=survey.cycle.pk)
    run_pulse_tick()
    client.force_login(hannah)
    response = client.get(f"/dashboard/?cycle={survey.cycle.pk}&comments_from=not-a-number")
    assert response.status_code == 404
