"""The follow-through score is released like a domain: for units whose people were asked it,
from the answers of the unit and everything below it, only where every disclosure rule allows
it, checked by the independent auditor.

Ada's company has five staff. Grace leads Platform, eight engineers and Mia, who leads Mobile
(five developers). Linus leads Data (six analysts). Grace shared a focus after the last pulse;
Linus did not.
"""

import pytest

from pulse.models import ReleasedUnit
from pulse.scheduler import run_pulse_tick
from surveys.closing import close_cycle
from surveys.instrument import FOLLOW_THROUGH_KEY
from teams.models import Person
from tests.anonymity.conftest import Survey
from tests.focus_setup import focus_for, launch_survey
from tests.org_builder import BuiltOrg, build_org
from tests.pulse.auditor import small_derivable_groups

pytestmark = pytest.mark.django_db


@pytest.fixture
def org() -> BuiltOrg:
    return build_org(
        """
        Ada Lovelace (Company)
          5 staff
          Grace Hopper (Platform)
            8 engineers
            Mia Wong (Mobile)
              5 developers
          Linus Torvalds (Data)
            6 analysts
        """
    )


def answer(client, survey: Survey, people: list[Person], follow_through: int | None) -> None:
    """Every domain item answered 5; the follow-through item answered where given."""
    for person in people:
        token = survey.token(person.email)
        keys = [q["key"] for q in client.get(f"/api/v1/pulse/{token}").json()["questions"]]
        answers = {key: 5 for key in keys if key != FOLLOW_THROUGH_KEY}
        if follow_through is not None:
            answers[FOLLOW_THROUGH_KEY] = follow_through
        response = client.post(
            f"/api/v1/pulse/{token}", {"answers": answers}, content_type="application/json"
        )
        assert response.status_code == 201, response.content


def release(survey: Survey) -> dict[str, ReleasedUnit]:
    close_cycle(cycle_id=survey.cycle.pk)
    assert survey.cycle.pk in run_pulse_tick().released
    return {unit.unit.name: unit for unit in ReleasedUnit.objects.filter(cycle=survey.cycle)}


def test_a_focused_unit_gets_a_follow_through_score_and_others_none(client, org) -> None:
    focus_for(org.team("Platform"))
    survey = launch_survey()
    engineers = org.reports_of("Grace Hopper")[:8]
    answer(client, survey, engineers[:6], follow_through=7)
    answer(client, survey, engineers[6:], follow_through=1)
    answer(client, survey, org.reports_of("Mia Wong"), follow_through=4)
    answer(client, survey, org.reports_of("Linus Torvalds"), follow_through=None)
    units = release(survey)

    platform = units["Platform"].figures
    # Keyed answers 7 x6, 1 x2, 4 x5: (mean - 1) / 6 x 100 over 13 people, whole points.
    assert platform["follow_through"]["respondents"] == 13
    assert platform["follow_through"]["score"] == round((6 * 100 + 2 * 0 + 5 * 50) / 13)
    assert platform["follow_through"]["favorable"] == round(100 * 6 / 13)
    assert units["Mobile"].figures["follow_through"]["score"] == 50
    # Not a domain: the index is still the four domains', and no question figure for it.
    assert FOLLOW_THROUGH_KEY not in platform["domains"]
    assert FOLLOW_THROUGH_KEY not in platform["questions"]
    # Everyone answered the domain items alike, so the index is the same with or without it.
    assert platform["index"] == units["Data"].figures["index"] is not None
    for unfocused in ("Data", "Company"):
        figures = units[unfocused].figures
        assert figures["domains"], unfocused
        assert "follow_through" not in figures and "follow_through" not in figures["hidden"]

    rows = {row["name"]: row for row in results_of(client, org, survey)}
    assert rows["Platform"]["follow_through"]["respondents"] == 13
    assert rows["Data"]["follow_through"] is None


def test_the_score_is_hidden_when_fewer_than_k_answered_the_item(client, org) -> None:
    focus_for(org.team("Platform"))
    survey = launch_survey()
    engineers = org.reports_of("Grace Hopper")[:8]
    answer(client, survey, engineers[:4], follow_through=6)
    answer(client, survey, engineers[4:], follow_through=None)  # four skip it
    platform = release(survey)["Platform"]
    assert platform.respondents == 8 and platform.figures["domains"]
    assert "follow_through" not in platform.figures
    assert platform.figures["hidden"]["follow_through"] == "too_few_responses"


def test_a_follow_through_score_that_could_be_subtracted_is_hidden(client, org) -> None:
    """All five of Mobile answer the item, and two engineers in Platform's own cell. Shown
    beside Platform's seven, Mobile's five would leave the two engineers' answers."""
    focus_for(org.team("Platform"))
    survey = launch_survey()
    engineers = org.reports_of("Grace Hopper")[:8]
    answer(client, survey, org.reports_of("Mia Wong"), follow_through=6)
    answer(client, survey, engineers[:2], follow_through=1)
    answer(client, survey, engineers[2:], follow_through=None)
    units = release(survey)

    assert units["Platform"].figures["follow_through"]["respondents"] == 7
    mobile = units["Mobile"]
    assert mobile.figures["domains"], "Mobile's other figures are shown"
    assert mobile.figures["hidden"]["follow_through"] == "protects_smaller_group"

    parents = {unit.unit_id: unit.parent_unit_id for unit in units.values()}
    answered_item = {units["Mobile"].unit_id: 5, units["Platform"].unit_id: 2}
    respondents = {unit_id: answered_item.get(unit_id, 0) for unit_id in parents}
    published = {unit.unit_id for unit in units.values() if "follow_through" in unit.figures}
    assert small_derivable_groups(parents, respondents, published, k=5) == []
    # The attack is real: both shown, the auditor isolates the two engineers.
    both = published | {units["Mobile"].unit_id}
    assert small_derivable_groups(parents, respondents, both, k=5) == [(units["Platform"].unit_id,)]


def results_of(client, org: BuiltOrg, survey: Survey) -> list[dict]:
    from django.contrib.auth.models import User

    ada = org["Ada Lovelace"]
    ada.user = User.objects.create_user(ada.email, ada.email, "pw")
    ada.save(update_fields=["user"])
    client.force_login(ada.user)
    response = client.get(f"/api/v1/results/?cycle={survey.cycle.pk}")
    assert response.status_code == 200
    return response.json()
