"""Which people a survey asks whether the team did what it said: those whose reporting unit
was shown a shared focus when the survey launched, decided once per reporting unit.

Ada's company: Grace leads Platform (six engineers) and, below it, Mia's Mobile (five) and
Tom's Tiny (two, merged into Platform); Linus leads Data (six analysts).
"""

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from surveys.instrument import FOLLOW_THROUGH_KEY
from surveys.models import CycleItem, CycleTeam
from tests.focus_setup import earlier_closed_cycle, focus_for, launch_survey
from tests.org_builder import BuiltOrg, build_org

pytestmark = pytest.mark.django_db


@pytest.fixture
def org() -> BuiltOrg:
    return build_org(
        """
        Ada Lovelace (Company)
          3 staff
          Grace Hopper (Platform)
            6 engineers
            Mia Wong (Mobile)
              5 developers
            Tom Baker (Tiny)
              2 testers
          Linus Torvalds (Data)
            6 analysts
        """
    )


def questions_of(client, survey, person) -> dict[str, str]:
    response = client.get(f"/api/v1/pulse/{survey.token(person.email)}")
    assert response.status_code == 200
    return {question["key"]: question["text"] for question in response.json()["questions"]}


def test_only_people_shown_a_shared_focus_are_asked_the_follow_through_item(client, org) -> None:
    focus_for(org.team("Platform"), domain="conversation")
    focus_for(org.team("Data"), domain="risk", shared=False)  # a draft, never shared
    survey = launch_survey()

    engineer = org.reports_of("Grace Hopper")[0]
    asked = questions_of(client, survey, engineer)
    assert asked[FOLLOW_THROUGH_KEY] == (
        "Since the last pulse, we did what we said we would do on Open conversation."
    )
    assert list(asked)[-1] == FOLLOW_THROUGH_KEY, "asked after the domain items"
    for person in (org.reports_of("Linus Torvalds")[0], org["Ada Lovelace"]):
        assert FOLLOW_THROUGH_KEY not in questions_of(client, survey, person)
    # The domain items are the same for everyone.
    analyst = questions_of(client, survey, org.reports_of("Linus Torvalds")[0])
    assert {key: text for key, text in asked.items() if key != FOLLOW_THROUGH_KEY} == analyst

    # An answer to a question someone was not asked is refused, and nothing is used up.
    token = survey.token(org.reports_of("Linus Torvalds")[1].email)
    refused = client.post(
        f"/api/v1/pulse/{token}",
        {"answers": {FOLLOW_THROUGH_KEY: 6}},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert refused.json()["fields"][FOLLOW_THROUGH_KEY] == ["is not a question of this survey"]
    assert client.get(f"/api/v1/pulse/{token}").status_code == 200
    accepted = client.post(
        f"/api/v1/pulse/{survey.token(engineer.email)}",
        {"answers": {FOLLOW_THROUGH_KEY: 6}},
        content_type="application/json",
    )
    assert accepted.status_code == 201


def test_a_survey_without_any_shared_focus_has_no_follow_through_item(client, org) -> None:
    focus_for(org.team("Platform"), shared=False)
    survey = launch_survey()
    assert not CycleItem.objects.filter(cycle=survey.cycle, key=FOLLOW_THROUGH_KEY).exists()
    assert not CycleTeam.objects.filter(cycle=survey.cycle, focus__isnull=False).exists()


def test_every_team_of_a_reporting_unit_is_shown_the_units_focus(client, org) -> None:
    """Tiny, too small to be a unit, counts in Platform: its two testers see Platform's focus,
    not Tom's own, so every ballot of Platform carries the same questions. Mobile, a unit of
    its own below Platform, inherits Platform's focus."""
    focus_for(org.team("Platform"), domain="help")
    focus_for(org.team("Tiny"), domain="risk")
    survey = launch_survey()

    for person in (org.reports_of("Tom Baker")[0], org.reports_of("Mia Wong")[0]):
        text = questions_of(client, survey, person)[FOLLOW_THROUGH_KEY]
        assert text.endswith("on Willingness to help.")
    platform = CycleTeam.objects.get(cycle=survey.cycle, name="Platform")
    tiny = CycleTeam.objects.get(cycle=survey.cycle, name="Tiny")
    assert tiny.reporting_unit_id == platform.pk and tiny.focus_id == platform.focus_id


def test_a_small_teams_own_focus_is_not_asked_when_its_unit_has_none(client, org) -> None:
    focus_for(org.team("Tiny"), domain="risk")
    survey = launch_survey()
    assert FOLLOW_THROUGH_KEY not in questions_of(client, survey, org.reports_of("Tom Baker")[0])
    assert not CycleItem.objects.filter(cycle=survey.cycle, key=FOLLOW_THROUGH_KEY).exists()


def test_a_focus_deleted_while_the_survey_is_open_is_still_asked_about(client, org) -> None:
    """Platform's people keep the same questions for the whole survey: a question set that
    changed half way would split their answers into those before and those after."""
    focus = focus_for(org.team("Platform"), domain="help")
    survey = launch_survey()
    focus.delete()
    engineer = org.reports_of("Grace Hopper")[0]
    body = client.get(f"/api/v1/pulse/{survey.token(engineer.email)}").json()
    texts = {question["key"]: question["text"] for question in body["questions"]}
    assert texts[FOLLOW_THROUGH_KEY].endswith("on Willingness to help.")
    assert body["focus"]["domain_label"] == "Willingness to help"
    assert body["focus"]["commitments"] == []


def test_the_latest_shared_focus_of_a_closed_survey_is_the_one_shown(client, org) -> None:
    older = earlier_closed_cycle("September")
    newer = earlier_closed_cycle("October")
    newer.closed_at = older.closed_at.replace(year=older.closed_at.year + 1)  # type: ignore[union-attr]
    newer.save()
    focus_for(org.team("Data"), domain="risk", cycle=older)
    focus_for(org.team("Data"), domain="inclusivity", cycle=newer)
    survey = launch_survey()
    text = questions_of(client, survey, org.reports_of("Linus Torvalds")[0])[FOLLOW_THROUGH_KEY]
    assert text.endswith("on Inclusivity.")


def test_the_invitation_tells_the_team_what_its_manager_committed_to(org) -> None:
    focus_for(org.team("Platform"), note="We moved the retro to Monday mornings.")
    launch_survey()
    engineer, analyst = org.reports_of("Grace Hopper")[0], org.reports_of("Linus Torvalds")[0]
    to = {message.to[0]: message for message in mail.outbox}
    text = str(to[engineer.email].body)
    assert "Last time your team chose to work on Open conversation." in text
    assert "What your manager committed to:" in text
    assert "- Start each retro with what went wrong for me (doing, due 15 January 2027)" in text
    assert "- Ask the quietest person first in planning (planned)" in text
    assert "You said, we did: We moved the retro to Monday mornings." in text
    message = to[engineer.email]
    assert isinstance(message, EmailMultiAlternatives)
    html = str(message.alternatives[0][0])
    assert "Ask the quietest person first in planning" in html
    assert "Open conversation" in html
    # One more question for Platform than for Data, whose email says nothing of a focus.
    other = str(to[analyst.email].body)
    assert "Last time" not in other and "committed" not in other
    count = int(text.split("has ")[1].split(" quick")[0])
    assert count == int(other.split("has ")[1].split(" quick")[0]) + 1
