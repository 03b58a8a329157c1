"""What a focused team's links show says nothing about who has answered.

The answer page and its JSON show the team's focus, its commitments (read live) and the
follow-through item. The attack: someone holding a colleague's unused link (a forwarded email,
the development outbox) opens it before and after others answer, and compares; and compares
two colleagues' links. Any difference would follow the answering, not the team.

Ada's company: five staff; Cleo leads Support, six agents, with a focus shared.
"""

import pytest
from django.test import Client

from pulse.scheduler import run_pulse_tick
from tests.anonymity.conftest import Survey
from tests.focus_setup import focus_for, launch_survey
from tests.org_builder import BuiltOrg, build_org

pytestmark = pytest.mark.django_db


@pytest.fixture
def org() -> BuiltOrg:
    return build_org(
        """
        Ada Lovelace (Company)
          5 staff
          Cleo Turner (Support)
            6 agents
        """
    )


def seen(client: Client, survey: Survey, email: str) -> tuple[bytes, bytes]:
    token = survey.token(email)
    page = client.get(f"/a/{token}/")
    as_json = client.get(f"/api/v1/pulse/{token}")
    assert page.status_code == 200 and as_json.status_code == 200
    return page.content.replace(token.encode(), b"TOKEN"), as_json.content


def test_a_focused_teams_link_shows_the_same_before_and_after_colleagues_answer(
    client, org
) -> None:
    focus_for(org.team("Support"), note="We moved the retro to Tuesdays")
    survey = launch_survey()
    agents = org.reports_of("Cleo Turner")
    watched, other = agents[-1], agents[-2]
    before = seen(client, survey, watched.email)
    assert b"We moved the retro to Tuesdays" in before[1], "the focus is shown"
    assert seen(client, survey, other.email) == before, "two colleagues' links differ"

    for agent in agents[:4]:
        token = survey.token(agent.email)
        keys = [q["key"] for q in client.get(f"/api/v1/pulse/{token}").json()["questions"]]
        response = client.post(
            f"/api/v1/pulse/{token}",
            {"answers": dict.fromkeys(keys, 6), "enps": 9, "comment": "more of this"},
            content_type="application/json",
        )
        assert response.status_code == 201
    run_pulse_tick()

    assert seen(client, survey, watched.email) == before
    assert seen(client, survey, other.email) == before
