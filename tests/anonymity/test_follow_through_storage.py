"""The follow-through item is asked only where a focus was shared, so which questions a stored
response answers says which group of people it came from. An insider reads the stored
responses after close and tries to pick out a small focused team whose few answers close
counted in a larger, unfocused cell.

Ada's company: Ada, eight staff and Cleo make the company's own team of ten; Cleo leads
Support, five agents, a reporting unit of its own. Cleo shared a focus after the last pulse,
so Support is asked the follow-through item and the company's own team is not.
"""

from collections import Counter

import pytest
from django.test import Client

from pulse.models import Response
from pulse.sweep import sweep
from surveys.closing import close_cycle
from surveys.instrument import FOLLOW_THROUGH_KEY
from surveys.models import CycleTeam
from teams.models import Person
from tests.anonymity.conftest import Survey
from tests.focus_setup import focus_for, launch_survey
from tests.org_builder import BuiltOrg, build_org

pytestmark = pytest.mark.django_db


@pytest.fixture
def org() -> BuiltOrg:
    return build_org(
        """
        Ada Lovelace (Company)
          8 staff
          Cleo Turner (Support)
            5 agents
        """
    )


def answer_everything(client: Client, survey: Survey, people: list[Person]) -> None:
    for person in people:
        token = survey.token(person.email)
        questions = client.get(f"/api/v1/pulse/{token}").json()["questions"]
        answers = {question["key"]: 4 for question in questions}
        response = client.post(
            f"/api/v1/pulse/{token}",
            {"answers": answers, "enps": 7},
            content_type="application/json",
        )
        assert response.status_code == 201, response.content


def stored_groups(survey: Survey) -> Counter[frozenset[str]]:
    """What the insider reads: how many stored responses answered each set of questions."""
    rows = Response.objects.filter(cycle=survey.cycle).values_list("answers", flat=True)
    return Counter(frozenset(answers) for answers in rows)


def test_a_small_focused_team_counted_in_an_unfocused_cell_cannot_be_picked_out(
    client, org
) -> None:
    focus_for(org.team("Support"))
    survey = launch_survey()
    agents = org.reports_of("Cleo Turner")
    staff = [org["Ada Lovelace"], *org.reports_of("Ada Lovelace")[:7]]
    answer_everything(client, survey, agents[:2])  # two of Support's five answer
    answer_everything(client, survey, staff)  # eight of the company's own team
    close_cycle(cycle_id=survey.cycle.pk)
    sweep()

    support = CycleTeam.objects.get(cycle=survey.cycle, name="Support")
    company = CycleTeam.objects.get(cycle=survey.cycle, name="Company")
    # Close counted Support's two answers in the company's cell: the insider knows that much.
    assert support.answers_counted_in_id == company.pk
    groups = stored_groups(survey)
    assert sum(groups.values()) == 10, "every answer is stored"
    # The attack: responses that answered a question the others were not asked. Two of them
    # would be exactly Support's two answers. Every group of responses alike in the questions
    # they answered holds at least k.
    assert all(count >= survey.cycle.k for count in groups.values()), groups
    assert not any(FOLLOW_THROUGH_KEY in answers for answers in groups)


def test_the_follow_through_answers_are_kept_where_the_whole_cell_was_asked(client, org) -> None:
    focus_for(org.team("Support"))
    survey = launch_survey()
    answer_everything(client, survey, org.reports_of("Cleo Turner"))  # all five of Support
    answer_everything(client, survey, org.reports_of("Ada Lovelace")[:6])
    close_cycle(cycle_id=survey.cycle.pk)
    sweep()

    support = CycleTeam.objects.get(cycle=survey.cycle, name="Support")
    asked = Response.objects.filter(cycle=survey.cycle, reporting_unit=support)
    assert all(FOLLOW_THROUGH_KEY in row.answers for row in asked) and asked.count() == 5
    company = Response.objects.filter(
        cycle=survey.cycle, reporting_unit__name="Company"
    ).values_list("answers", flat=True)
    assert len(company) == 6 and not any(FOLLOW_THROUGH_KEY in answers for answers in company)
