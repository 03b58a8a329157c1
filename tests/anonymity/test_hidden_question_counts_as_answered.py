"""A team one of whose statements was hidden in October counts as answered by everyone, though
one of its people left that statement blank (docs/anonymity.md, "Across surveys", "So a
release that shares people with an earlier release in whole points is itself in whole points
only when everyone in it answered every statement it asked").

Whether an earlier group was answered by everyone is judged from its stored counts: a hidden
domain or eNPS is named among the release's hidden figures and rules the group out, but a
hidden statement is stored with no count and named nowhere, so a team where four of five
people answered one statement looks as if everyone answered everything. The four answers are
still counted in the company's figure for that statement, which keeps them exactly (its mean,
and its answer counts from ten people on), and from November on the team is in whole points
again, its statement's mean stored to a tenth.

Both surveys ask the full set of statements (quarterly), several to a domain, so one statement
left blank hides no domain score. Ada's company: Dana leads Staff (six staff), Ben leads Vista (Quinn and four designers), Cleo
leads Union (five agents and Rita, who is HR); five aides work for Ada. In October Quinn leaves
one statement blank and answers the rest; so do Rita (Union's statement: five answers, one of
them maybe a reader's, hidden) and the aides. The company's figure for it counts nineteen
answers. In November everyone answers everything: Vista and Union are stored in whole points,
and only the company (whose managers sat in a group not everyone answered) is coarser. Someone
holding the database, with the managers and Rita, who know their own answers: Vista + Union in
November, less Rita, less the company less Staff in October, less the managers, is Quinn's
answer to that statement.

A release with a statement hidden counts as not answered by everyone
(pulse.trends.units_with_unsure_answerers), so the later release is shown coarser and the
attack finds nothing.
"""

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from pulse.release_models import ReleasedUnit
from pulse.scheduler import run_pulse_tick
from surveys.closing import close_cycle
from surveys.instrument import FOLLOW_THROUGH_KEY, SCALE_VALUES, SurveyKind
from surveys.launch import launch_now
from surveys.models import Cadence
from surveys.scheduler import run_tick
from teams.models import Person
from tests.anonymity.conftest import Survey, emailed_links
from tests.anonymity.test_union_of_regions_with_former_hr import made_hr
from tests.org_builder import BuiltOrg, build_org

pytestmark = pytest.mark.django_db

QUINN = 2  # what the attack reads: Quinn's answer to the statement
DESIGNERS = (5, 6, 4, 7)
AGENTS = (6, 3, 5, 7, 6)
STAFF = (4, 5, 6, 3, 7, 5)
OTHERS = 5  # the four managers, the aides and Rita


@pytest.fixture
def org() -> BuiltOrg:
    return build_org(
        """
        Ada Lovelace (Company)
          5 aides
          Dana Reed (Staff)
            6 staff
          Ben Carter (Vista)
            Quinn Solo
            4 designers
          Cleo Turner (Union)
            5 agents
            Rita Hale
        """
    )


def run_survey(
    client: Client, name: str, values: dict[Person, int], skip: set[Person]
) -> tuple[Survey, str]:
    """A full set of statements (a quarterly survey: several to a domain, so one left blank
    hides no domain). Everyone answers every statement with their value, and 8 to eNPS; the
    people in `skip` leave the first statement blank. Returns the survey and that statement."""
    mail.outbox.clear()
    cadence = Cadence.objects.create(name=name, kind=SurveyKind.QUARTERLY_FULL)
    cycle = launch_now(cadence=cadence, now=timezone.now())
    run_tick()
    survey = Survey(cycle=cycle, links=emailed_links())
    for person, value in values.items():
        token = survey.token(person.email)
        keys = [q["key"] for q in client.get(f"/api/v1/pulse/{token}").json()["questions"]]
        keys = [key for key in keys if key != FOLLOW_THROUGH_KEY]
        answers = {key: value for key in keys[person in skip :]}
        response = client.post(
            f"/api/v1/pulse/{token}",
            {"answers": answers, "enps": 8},
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
    close_cycle(cycle_id=survey.cycle.pk)
    assert survey.cycle.pk in run_pulse_tick().released
    return survey, keys[0]


def stored(survey: Survey, team: str) -> dict:
    """What the database holds of a team's release (the nightly dumps have it)."""
    return ReleasedUnit.objects.get(cycle_id=survey.cycle.pk, unit__name=team).figures


def sums(question: dict) -> set[int]:
    """Every sum of the raw answers the stored figure of a statement can stand for."""
    n = question["respondents"]
    if question["distribution"] is not None:
        return {sum(v * c for v, c in zip(SCALE_VALUES, question["distribution"], strict=True))}
    if question["mean"] is None:
        return set(range(n * SCALE_VALUES[0], n * SCALE_VALUES[-1] + 1))
    return {s for s in range(n, 7 * n + 1) if abs(s / n - question["mean"]) <= 0.05 + 1e-9}


def test_someone_with_the_database_reads_a_statement_hidden_in_one_persons_team(
    client, org
) -> None:
    quinn, rita = org["Quinn Solo"], org["Rita Hale"]
    designers = [p for p in org.reports_of("Ben Carter") if p != quinn]
    agents = [p for p in org.reports_of("Cleo Turner") if p != rita]
    staff = org.reports_of("Dana Reed")
    aides = [p for p in org.reports_of("Ada Lovelace") if p.name.startswith("Aide")]
    managers = [org[name] for name in ("Ada Lovelace", "Dana Reed", "Ben Carter", "Cleo Turner")]
    made_hr([rita])
    values = {person: OTHERS for person in org.everyone}
    values |= dict(zip(designers, DESIGNERS, strict=True))
    values |= dict(zip(agents, AGENTS, strict=True))
    values |= dict(zip(staff, STAFF, strict=True))
    values[quinn] = QUINN

    october, key = run_survey(client, "October", values, skip={quinn, rita, *aides})
    november, key_now = run_survey(client, "November", values, skip=set())
    assert key_now == key

    then = {team: stored(october, team) for team in ("Company", "Staff", "Vista", "Union")}
    now = {team: stored(november, team) for team in ("Vista", "Union")}
    assert then["Vista"]["questions"][key]["respondents"] is None, "four answers: hidden"
    assert then["Union"]["questions"][key]["respondents"] is None, "maybe one reader's: hidden"
    assert then["Company"]["questions"][key]["respondents"] == 19
    for figures in (then["Company"], then["Staff"], now["Vista"], now["Union"]):
        assert figures["questions"][key]["respondents"] is not None, figures

    # Quinn = Vista + Union now - Rita - (Company - Staff then - the managers).
    own = sum(values[p] for p in managers)
    answers = {
        total
        for a in sums(now["Vista"]["questions"][key])
        for b in sums(now["Union"]["questions"][key])
        for c in sums(then["Company"]["questions"][key])
        for d in sums(then["Staff"]["questions"][key])
        if (total := a + b - values[rita] - (c - d - own)) in SCALE_VALUES
    }
    assert QUINN in answers, "the attack is sound"
    # The promise: one person's answer is bounded no better than the whole scale.
    assert answers == set(SCALE_VALUES), (
        f"Quinn answered {sorted(answers)}, at precisions "
        f"{[f['precision'] for f in (*then.values(), *now.values())]}"
    )
