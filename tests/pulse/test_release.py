"""When the survey closes, results are computed once and stored; a figure appears only where it
describes at least k people and cannot be subtracted down to fewer."""

from datetime import timedelta
from itertools import pairwise

import pytest
from django.utils import timezone

from pulse.models import ReleasedComment, ReleasedUnit
from pulse.scheduler import run_pulse_tick
from surveys.closing import close_cycle
from surveys.selectors import open_cycle_bands
from teams.roles import ensure_hr_group
from tests.anonymity.conftest import form_answers
from tests.pulse.comment_reading import every_comment

pytestmark = pytest.mark.django_db


def answer(client, survey, people, values=(6, 5, 6, 5), **extra) -> None:
    for person in people:
        response = client.post(
            f"/a/{survey.token(person.email)}/", form_answers(survey, list(values), **extra)
        )
        assert response.status_code == 200


def team_changes(texts: list[str]) -> int:
    """How often a comment differs from the one before it: 1 when two teams' same-worded
    comments come one team after the other."""
    return sum(before != after for before, after in pairwise(texts))


def release(survey) -> dict[str, ReleasedUnit]:
    close_cycle(cycle_id=survey.cycle.pk)
    report = run_pulse_tick()
    assert report.released == [survey.cycle.pk]
    return {unit.unit.name: unit for unit in ReleasedUnit.objects.filter(cycle=survey.cycle)}


def test_units_with_enough_answers_are_released_with_scores(client, survey, company) -> None:
    answer(client, survey, company["platform"][:10], values=(7, 7, 7, 7), enps=10)
    # Ada's own cell: Ada, the three staff and the three leads below her, of whom Ada and the
    # leads read results. With Data's three, the cell beside Platform holds 10 answers, at most
    # 4 of them by people who read results: Platform can be shown beside the company.
    answer(client, survey, company["leads"], values=(1, 1, 1, 1), enps=0)
    answer(client, survey, company["data"][:3], enps=8)
    units = release(survey)
    platform, company_unit, data = units["Platform"], units["Company"], units["Data"]
    assert (platform.status, platform.respondents) == ("released", 10)
    assert platform.figures["enps"] == 100
    assert company_unit.respondents == 20  # the roll-up of everything below
    assert (data.status, data.reason, data.respondents) == ("suppressed", "too_few_responses", None)
    assert data.figures == {}
    items = list(survey.cycle.items.all())
    reverse_keyed = [item for item in items if item.reverse_scored]
    # Answering 7 to everything: 100 on positive items, 0 on reverse-keyed ones.
    for item in items:
        expected = 1.0 if item.reverse_scored else 7.0
        assert platform.figures["questions"][item.key]["mean"] == expected
    assert reverse_keyed, "the monthly pulse asks at least one reverse-keyed item"


def test_a_single_answer_above_a_team_is_not_kept_so_nothing_differs_by_one_person(
    client, survey, company
) -> None:
    """One of the company's own staff answers beside Platform's ten. Stored, that answer would
    be a group of one at the top (Company minus Platform); it is destroyed unopened at close,
    so the company's figures are Platform's ten and subtract to nobody."""
    answer(client, survey, company["platform"][:10])
    answer(client, survey, company["leads"][4:5])
    units = release(survey)
    assert (units["Platform"].status, units["Platform"].respondents) == ("released", 10)
    assert units["Company"].respondents == 10


def test_a_question_too_many_people_skipped_is_hidden_on_its_own(client, survey, company) -> None:
    answer(client, survey, company["platform"][:6], values=(6, 6, 6, 6))
    answer(client, survey, company["platform"][6:8], values=(6,))  # these two skip items 2-4
    units = release(survey)
    questions = units["Platform"].figures["questions"]
    keys = [item.key for item in survey.cycle.items.all()]
    assert questions[keys[0]]["respondents"] == 8
    assert questions[keys[1]]["respondents"] == 6
    # Six answered item 2 in Platform, two skipped it; Company adds nobody: still released.
    answer_sets = {key: questions[key]["status"] for key in keys}
    assert set(answer_sets.values()) == {"released"}


def test_skips_can_push_a_question_below_k(client, survey, company) -> None:
    answer(client, survey, company["platform"][:4], values=(6, 6, 6, 6))
    answer(client, survey, company["platform"][4:7], values=(6,))
    units = release(survey)
    questions = units["Platform"].figures["questions"]
    keys = [item.key for item in survey.cycle.items.all()]
    assert questions[keys[0]]["status"] == "released"
    assert questions[keys[1]] == {
        "status": "suppressed",
        "reason": "too_few_responses",
        "respondents": None,
        "mean": None,
        "favorable": None,
        "distribution": None,
    }
    assert units["Platform"].figures["index"] is None  # a domain is missing, so no index


def test_comments_need_ten_respondents_and_cannot_be_subtracted_either(
    client, survey, company
) -> None:
    answer(client, survey, company["platform"][:9], comment="More pairing please")
    answer(client, survey, company["data"][:10], comment="Standups run long")
    units = release(survey)
    assert not units["Platform"].comments_released  # 9 respondents
    # Data alone has 10, but its comments beside the company's would single out Platform's 9.
    assert not units["Data"].comments_released
    assert units["Company"].comments_released
    texts = every_comment(units["Company"])
    assert sorted(texts) == ["More pairing please"] * 9 + ["Standups run long"] * 10
    assert texts != sorted(texts) or len(set(texts)) == 1  # shuffled, not grouped by team
    stored = ReleasedComment.objects.filter(cycle=survey.cycle).order_by("position")
    # Stored in a fresh shuffle too: where a row sits does not say which team wrote it (one
    # team's nine, then the other's ten, would). A shuffle is that grouped 1 time in 46,189.
    assert team_changes([row.text for row in stored]) > 1
    assert {row.released_unit_id for row in stored} == {units["Company"].pk}


def test_each_comment_is_stored_once_and_shown_on_its_team_and_every_page_above(
    client, survey, company
) -> None:
    answer(client, survey, company["platform"][:12], comment="More pairing please")
    answer(client, survey, company["data"][:12], comment="Standups run long")
    units = release(survey)
    assert every_comment(units["Platform"]) == ["More pairing please"] * 12
    assert every_comment(units["Data"]) == ["Standups run long"] * 12
    company_page = every_comment(units["Company"])
    assert sorted(company_page) == ["More pairing please"] * 12 + ["Standups run long"] * 12
    assert team_changes(company_page) > 1  # the two teams mixed, not one after the other
    stored = ReleasedComment.objects.filter(cycle=survey.cycle)
    assert stored.count() == 24  # not 48: once, not once for each page that shows it
    # Each belongs to the first page that shows it: deleting that team's release deletes them.
    assert {(row.released_unit_id, row.text) for row in stored} == {
        (units["Platform"].pk, "More pairing please"),
        (units["Data"].pk, "Standups run long"),
    }


def test_a_release_happens_once(client, survey, company) -> None:
    answer(client, survey, company["platform"][:5])
    release(survey)
    before = list(ReleasedUnit.objects.values_list("id", "status", "respondents"))
    assert run_pulse_tick().released == []
    assert list(ReleasedUnit.objects.values_list("id", "status", "respondents")) == before


def test_participation_while_open_shows_bands_for_units_of_2k_once_a_day(
    client, survey, company, django_user_model
) -> None:
    hr = django_user_model.objects.create_user("hr@example.com", "hr@example.com", "pw")
    hr.groups.add(ensure_hr_group())
    client.force_login(hr)
    answer(client, survey, company["platform"][:6])
    page = client.get("/hr/participation/").content.decode()
    # Platform has 30 people, the company's own cell 9: fewer than 2k = 10, so no band.
    assert '<th scope="row">Platform</th><td>30</td><td>under 25%</td>' in page
    assert '<th scope="row">Company</th>' not in page
    answer(client, survey, company["platform"][6:20])
    today = timezone.now().date()
    again = client.get("/hr/participation/").content.decode()
    assert '<th scope="row">Platform</th><td>30</td><td>under 25%</td>' in again
    tomorrow = [(b.name, b.band) for b in open_cycle_bands(survey.cycle, today + timedelta(1))]
    assert tomorrow == [("Data", "under 25%"), ("Platform", "50 to 75%")]


def test_hr_inside_a_team_and_a_superuser_count_as_readers_of_that_team(
    client, survey, company, django_user_model
) -> None:
    engineers = company["platform"]
    hr = django_user_model.objects.create_user("eng0", engineers[0].email, "pw")
    hr.groups.add(ensure_hr_group())
    admin = django_user_model.objects.create_superuser("eng1", engineers[1].email, "pw")
    for engineer, user in ((engineers[0], hr), (engineers[1], admin)):
        engineer.user = user
        engineer.save(update_fields=["user"])
    answer(client, survey, engineers[:6])
    platform = release(survey)["Platform"]
    # Six answered, but two of them read results and know their own answers: the other four
    # would be what is left, fewer than k.
    assert (platform.status, platform.reason) == ("suppressed", "viewers_known")


def test_six_answers_from_people_who_read_nothing_are_shown(client, survey, company) -> None:
    answer(client, survey, company["platform"][:6])
    assert release(survey)["Platform"].status == "released"


def test_participation_while_open_says_why_nothing_is_shown_when_every_unit_is_small(
    client, django_user_model
) -> None:
    from surveys.launch import launch_now
    from surveys.models import Cadence
    from teams.team_tree import sync_teams
    from tests.anonymity.conftest import person

    lead = person("lead", "Lead")
    for index in range(8):
        person(f"member{index}", f"Member {index}", lead)
    sync_teams(team_names={"lead": "Studio"})
    launch_now(cadence=Cadence.objects.create(name="Pulse", kind="monthly"), now=timezone.now())
    hr = django_user_model.objects.create_user("hr@example.com", "hr@example.com", "pw")
    hr.groups.add(ensure_hr_group())
    client.force_login(hr)
    page = client.get("/hr/participation/").content.decode()
    assert "No reporting unit has 10 people or more, so nothing is shown until" in page
    assert '<th scope="row">Studio</th>' not in page
