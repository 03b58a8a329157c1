"""One statement left blank by one person in October, answered in November, read from the team's
own domain figures (docs/anonymity.md, "Across surveys", "So a release that shares people with
an earlier release in whole points is itself in whole points only when everyone in it answered
every statement it asked").

A domain's favourable share is a share of answers, not of people: one statement left blank
takes one answer out of it and leaves the domain's count of people as it was. The statement's
own figure is hidden (four answers of five), and a hidden statement stores no count and is not
named among the release's hidden figures, so the team counts as answered by everyone, and its
November release, the same five people, is in whole points. The domain's favourable answers in
November less those in October are that one answer.

Ben leads Vista: Quinn and four designers; Ada's company also has six staff. Both surveys ask
the full set of statements (quarterly), several to a domain. In October Quinn leaves the first
risk statement blank and answers everything else; in November he answers it too. Everyone
answers as before. Ben alone reads it: no backup, no colluder.

A release with a statement hidden counts as not answered by everyone
(pulse.trends.units_with_unsure_answerers), so the later release is shown coarser and the
attack finds nothing.
"""

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from pulse.scheduler import run_pulse_tick
from pulse.scoring import FAVORABLE_FROM
from surveys.closing import close_cycle
from surveys.instrument import FOLLOW_THROUGH_KEY, SCALE_MAX, SCALE_MIN, SCALE_VALUES, SurveyKind
from surveys.launch import launch_now
from surveys.models import Cadence, CycleItem
from surveys.scheduler import run_tick
from tests.anonymity.conftest import Survey, emailed_links
from tests.anonymity.test_across_surveys import as_reader, counts_behind
from tests.org_builder import BuiltOrg, build_org

pytestmark = pytest.mark.django_db

DOMAIN = "risk"
QUINN_ON_IT = 7  # what the attack reads: Quinn agrees strongly with the statement
QUINN_ON_THE_REST = 2  # and disagrees with the rest (as keyed)


@pytest.fixture
def org() -> BuiltOrg:
    return build_org(
        """
        Ada Lovelace (Company)
          6 staff
          Ben Carter (Vista)
            Quinn Solo
            4 designers
        """
    )


def run_survey(client: Client, name: str, org: BuiltOrg, *, quinn_skips: bool) -> Survey:
    mail.outbox.clear()
    cadence = Cadence.objects.create(name=name, kind=SurveyKind.QUARTERLY_FULL)
    cycle = launch_now(cadence=cadence, now=timezone.now())
    run_tick()
    survey = Survey(cycle=cycle, links=emailed_links())
    items = {item.key: item for item in CycleItem.objects.filter(cycle=cycle)}
    statement = blank_statement(survey)
    quinn = org["Quinn Solo"]
    for person in org.everyone:
        token = survey.token(person.email)
        keys = [q["key"] for q in client.get(f"/api/v1/pulse/{token}").json()["questions"]]
        answers = {key: 5 for key in keys if key != FOLLOW_THROUGH_KEY}
        if person == quinn:
            for key in answers:
                keyed = QUINN_ON_IT if key == statement else QUINN_ON_THE_REST
                answers[key] = as_given(keyed, reverse=items[key].reverse_scored)
            if quinn_skips:
                del answers[statement]
        response = client.post(
            f"/api/v1/pulse/{token}",
            {"answers": answers, "enps": 8},
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
    close_cycle(cycle_id=survey.cycle.pk)
    assert survey.cycle.pk in run_pulse_tick().released
    return survey


def as_given(keyed: int, *, reverse: bool) -> int:
    return SCALE_MIN + SCALE_MAX - keyed if reverse else keyed


def blank_statement(survey: Survey) -> str:
    return CycleItem.objects.filter(cycle=survey.cycle, domain=DOMAIN).order_by("key")[0].key


def items_in_domain(survey: Survey) -> int:
    return CycleItem.objects.filter(cycle=survey.cycle, domain=DOMAIN).count()


def test_a_manager_reads_the_one_statement_a_person_left_blank_the_month_before(
    client, org
) -> None:
    october = run_survey(client, "October", org, quinn_skips=True)
    november = run_survey(client, "November", org, quinn_skips=False)
    assert blank_statement(october) == blank_statement(november)
    ben = org["Ben Carter"]
    oct_, nov = as_reader(ben, october, "Vista"), as_reader(ben, november, "Vista")
    for read in (oct_, nov):
        assert read["status"] == "released" and DOMAIN in read["domains"], read
    assert oct_["domains"][DOMAIN]["respondents"] == nov["domains"][DOMAIN]["respondents"] == 5

    # Answers in the domain: five people, every statement, but Quinn's blank in October.
    items = items_in_domain(november)
    answers_then, answers_now = 5 * items - 1, 5 * items
    step_then, step_now = oct_["precision"], nov["precision"]
    favourable_then = counts_behind(
        oct_["domains"][DOMAIN]["favorable"], n=answers_then, step=step_then
    )
    favourable_now = counts_behind(
        nov["domains"][DOMAIN]["favorable"], n=answers_now, step=step_now
    )
    # Quinn's answer is favourable (keyed 5 or more) when November holds one more.
    favourable = {now - then for now in favourable_now for then in favourable_then} & {0, 1}
    values = {v for v in SCALE_VALUES if int(v >= FAVORABLE_FROM) in favourable}
    assert QUINN_ON_IT in values, "the attack is sound"

    # The promise: one person's answer is bounded no better than the whole scale.
    assert values == set(SCALE_VALUES), (
        f"Quinn answered {sorted(values)} (as keyed) to the statement, at precisions "
        f"{[step_then, step_now]}"
    )


def test_the_team_is_coarser_when_the_blank_leaves_the_statement_shown(client) -> None:
    """The same with six in the team: the statement is shown in October with five answers of
    six, its count says not everyone answered, and November comes coarser."""
    org = build_org(
        """
        Ada Lovelace (Company)
          6 staff
          Ben Carter (Vista)
            Quinn Solo
            5 designers
        """
    )
    run_survey(client, "October", org, quinn_skips=True)
    november = run_survey(client, "November", org, quinn_skips=False)
    assert as_reader(org["Ben Carter"], november, "Vista")["precision"] > 1
