"""Two releases of a group of 800 or more, one joiner apart, read from the stored answer counts
(docs/anonymity.md, "Across surveys", and pulse.trends.coarse_step).

A release whose people differ by 1 to k-1 from an earlier one is shown coarser, and "a coarse
unit shows no distribution: two exact distributions a few people apart would give those
people's answers away" (pulse.release). From 200 (k-1) respondents on (800 at k = 5),
coarse_step returns whole points, the precision of a fine release; were the release stored as
a fine one, it would keep every question's exact count of each answer 1 to 7. Whole points
blur a mean over 800 people; they do nothing to a count. So a release a few people apart
stores no distribution and no question mean, whatever its step (Comparison.few_apart).

Ada's company: ten staff (enough that the company's own people pass the threshold of 10 for
distributions); Cleo leads Support, 800 agents. Jo joins Support before November.
Everyone answers both surveys, and as before. The insider holds the dump taken after each
release (A1): the released figures, the org chart and the invitations, which say Jo joined.
"""

import pytest
from django.test import Client

from pulse.scheduler import run_pulse_tick
from surveys.closing import close_cycle
from surveys.instrument import FOLLOW_THROUGH_KEY, SCALE_VALUES
from teams.models import Person
from teams.team_tree import sync_teams
from tests.anonymity.conftest import Survey
from tests.anonymity.test_across_surveys import released_support_rows
from tests.focus_setup import launch_survey
from tests.org_builder import BuiltOrg, build_org

pytestmark = pytest.mark.django_db

AGENTS = 800
JO_ANSWERS = 2  # what the attack reads, to every statement


@pytest.fixture
def org() -> BuiltOrg:
    return build_org(
        f"""
        Ada Lovelace (Company)
          10 staff
          Cleo Turner (Support)
            {AGENTS} agents
        """
    )


def answer_all(client: Client, survey: Survey, answers_of: dict[Person, int]) -> None:
    """Each person answers every statement with their value and 8 on eNPS, through the API."""
    first = survey.token(next(iter(answers_of)).email)
    keys = [q["key"] for q in client.get(f"/api/v1/pulse/{first}").json()["questions"]]
    for person, value in answers_of.items():
        response = client.post(
            f"/api/v1/pulse/{survey.token(person.email)}",
            {"answers": {key: value for key in keys if key != FOLLOW_THROUGH_KEY}, "enps": 8},
            content_type="application/json",
        )
        assert response.status_code == 201, response.content


def run(client: Client, name: str, answers_of: dict[Person, int]) -> None:
    survey = launch_survey(name)
    answer_all(client, survey, answers_of)
    close_cycle(cycle_id=survey.cycle.pk)
    assert survey.cycle.pk in run_pulse_tick().released


def test_an_insider_reads_a_joiners_answers_from_two_releases_of_a_group_of_800(
    client, org
) -> None:
    answers_of = {person: 1 + i % 7 for i, person in enumerate(org.everyone)}
    run(client, "October", answers_of)
    jo = Person.objects.create(
        employee_id="jo", email="jo@example.com", name="Jo Iner", manager=org["Cleo Turner"]
    )
    sync_teams()
    run(client, "November", {**answers_of, jo: JO_ANSWERS})

    before, after = released_support_rows()
    assert after["precision"] == 1, "whole points: 4 of 801 move a score by under half a point"
    read = {}
    for key, question in after["questions"].items():
        earlier = before["questions"][key]
        assert question["respondents"] == earlier["respondents"] + 1
        if question["distribution"] is None or earlier["distribution"] is None:
            read[key] = set(SCALE_VALUES)
            continue
        moved = [
            b - a for a, b in zip(earlier["distribution"], question["distribution"], strict=True)
        ]
        read[key] = {
            value for value in SCALE_VALUES if moved == [int(v == value) for v in SCALE_VALUES]
        } or set(SCALE_VALUES)
    assert read, "Support's questions are released"
    assert all(JO_ANSWERS in values for values in read.values()), "the attack is sound"
    # The promise: one person's answer is bounded no better than the whole scale.
    pinned = {key: sorted(values) for key, values in read.items() if values != set(SCALE_VALUES)}
    assert not pinned, f"Jo answered, statement by statement: {pinned}"
