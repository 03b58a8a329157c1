"""The next pulse's answer page shows the team what its manager committed to, above the
questions, and asks the follow-through item with them; a team without a shared focus sees
neither."""

import pytest
from django.utils.html import escape

from surveys.instrument import FOLLOW_THROUGH_KEY
from surveys.models import Commitment
from tests.focus_setup import focus_for, launch_survey
from tests.org_builder import BuiltOrg, build_org
from tests.test_csp import refusals

pytestmark = pytest.mark.django_db


@pytest.fixture
def org() -> BuiltOrg:
    return build_org(
        """
        Ada Lovelace (Company)
          4 staff
          Grace Hopper (Platform)
            6 engineers
        """
    )


def test_the_answer_page_shows_the_commitments_above_the_questions(client, org) -> None:
    focus = focus_for(org.team("Platform"), note="Retros now start with what went wrong.")
    survey = launch_survey()
    # Marked done after the survey opened: the page shows where things stand now.
    Commitment.objects.filter(focus=focus, position=2).update(status="done")
    engineer = org.reports_of("Grace Hopper")[0]
    response = client.get(f"/a/{survey.token(engineer.email)}/")
    page = response.content.decode()
    assert refusals(page) == [], "no inline style or script (strict CSP)"
    assert "default-src 'self'" in response["Content-Security-Policy"]

    shown = page.index("Last time your team chose to work on Open conversation.")
    assert shown < page.index("<form")
    assert "What your manager committed to:" in page
    assert "Start each retro with what went wrong for me" in page
    assert "(doing, due 15 January 2027)" in page
    assert "Ask the quietest person first in planning" in page and "(done)" in page
    assert "You said, we did:" in page and "Retros now start with what went wrong." in page
    assert escape("we did what we said we would do on Open conversation.") in page
    assert f'name="item_{FOLLOW_THROUGH_KEY}"' in page
    # Nothing personal: not the manager's name, nobody's answers.
    section = page[shown : page.index("<form")]
    assert "Grace" not in section and "Hopper" not in section

    # A person of the company's own team, which shared nothing, sees none of it.
    other = client.get(f"/a/{survey.token(org['Grace Hopper'].email)}/").content.decode()
    assert "Last time" not in other and f"item_{FOLLOW_THROUGH_KEY}" not in other


def test_the_follow_through_answer_is_accepted_from_the_answer_page(client, org) -> None:
    focus_for(org.team("Platform"))
    survey = launch_survey()
    engineer = org.reports_of("Grace Hopper")[0]
    response = client.post(
        f"/a/{survey.token(engineer.email)}/", {f"item_{FOLLOW_THROUGH_KEY}": "6", "enps": "8"}
    )
    assert response.status_code == 200 and "Thank you" in response.content.decode()


def test_the_json_survey_carries_the_focus_and_its_commitments(client, org) -> None:
    focus_for(org.team("Platform"), domain="risk")
    survey = launch_survey()
    engineer = org.reports_of("Grace Hopper")[0]
    body = client.get(f"/api/v1/pulse/{survey.token(engineer.email)}").json()
    assert body["focus"] == {
        "domain": "risk",
        "domain_label": "Risk and failure",
        "commitments": [
            {
                "text": "Start each retro with what went wrong for me",
                "status": "doing",
                "due_on": "2027-01-15",
            },
            {
                "text": "Ask the quietest person first in planning",
                "status": "planned",
                "due_on": None,
            },
        ],
        "note": "",
    }
    assert body["questions"][-1]["key"] == FOLLOW_THROUGH_KEY
    lead = client.get(f"/api/v1/pulse/{survey.token(org['Grace Hopper'].email)}").json()
    assert lead["focus"] is None
    assert FOLLOW_THROUGH_KEY not in [question["key"] for question in lead["questions"]]
