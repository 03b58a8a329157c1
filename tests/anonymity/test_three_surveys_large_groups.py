"""Three releases of a team of 400 or more whose people rotate, read from the stored answer
counts (docs/anonymity.md, "Every combination of two surveys' figures": "Only exact figures
count here: a coarse release, or a group of 200 x (k-1) respondents or more, blurs a few
people already").

The checks of every combination leave out a group of 200 (k-1) respondents or more, as blurred
by rounding: whole points blur what k-1 people move a mean over that many. They do nothing to
a count. A release that no check finds a few apart keeps every question's exact count of each
answer 1 to 7, so three such releases are added and subtracted exactly, whatever their size.

The rotating team of test_three_surveys_rotating_people.py, grown: at k = 3 (allowed; 400 is
200 (k-1)), Sales is 400 reps and Quinn in October, Quinn and 405 agents in November, the reps
and the agents in December; the others wait in Support with six technicians. Every pair of
surveys differs by hundreds of people, and every Sales and Support figure is of 400 or more
but December's Support (Quinn and the technicians), so every combination check passes.
October's Sales distribution + November's - December's is twice Quinn's answer, statement by
statement. The insider holds the dumps taken while later surveys were open (A1), which hold
the released figures of the earlier ones. Everyone answers every survey, and as before.
"""

import pytest
from django.core import mail
from django.utils import timezone

from pulse.scheduler import run_pulse_tick
from surveys.closing import close_cycle
from surveys.instrument import SCALE_VALUES
from surveys.launch import launch_now
from surveys.models import Cadence
from surveys.scheduler import run_tick
from teams.models import Person
from teams.team_tree import sync_teams
from tests.anonymity.conftest import Survey, emailed_links
from tests.anonymity.insider import json_value, take_dump
from tests.anonymity.test_across_surveys import Sheet, answer
from tests.org_builder import BuiltOrg, build_org

pytestmark = pytest.mark.django_db

K = 3
REPS, AGENTS = 400, 405
QUINN = 2  # what the attack reads, to every statement


@pytest.fixture
def org() -> BuiltOrg:
    return build_org(
        f"""
        Ada Lovelace (Company)
          10 staff
          Ben Carter (Sales)
            {REPS} reps
            Quinn Solo
          Cleo Turner (Support)
            {AGENTS} agents
            6 techs
        """
    )


def run_survey(client, name: str, sheets: dict[Person, Sheet]) -> Survey:
    mail.outbox.clear()
    cadence = Cadence.objects.create(name=name, kind="monthly", k=K)
    cycle = launch_now(cadence=cadence, now=timezone.now())
    run_tick()
    survey = Survey(cycle=cycle, links=emailed_links())
    for person, sheet in sheets.items():
        answer(client, survey, person, sheet)
    close_cycle(cycle_id=survey.cycle.pk)
    assert survey.cycle.pk in run_pulse_tick().released
    return survey


def moved(people: list[Person], manager: Person) -> None:
    Person.objects.filter(pk__in=[p.pk for p in people]).update(manager=manager)
    sync_teams()


def released_sales_rows() -> list[dict]:
    """The insider's dump: Sales's released figures, oldest survey first."""
    dump = take_dump()
    sales_units = {row["id"] for row in dump.rows("surveys_cycleteam") if row["name"] == "Sales"}
    closes_at = {row["id"]: row["closes_at"] for row in dump.rows("surveys_cycle")}
    rows = [row for row in dump.rows("pulse_releasedunit") if row["unit_id"] in sales_units]
    rows.sort(key=lambda row: closes_at[row["cycle_id"]])
    return [{**json_value(row["figures"]), "respondents": row["respondents"]} for row in rows]


@pytest.mark.xfail(
    strict=True,
    reason="groups of 200 (k-1) or more are left out of every combination as blurred, yet "
    "their exact answer counts add up across three surveys to Quinn's answer to each statement",
)
def test_an_insider_reads_one_person_from_three_releases_of_a_rotating_team_of_400(
    client, org
) -> None:
    ben, cleo = org["Ben Carter"], org["Cleo Turner"]
    reps = [p for p in org.reports_of("Ben Carter") if p.name.startswith("Rep")]
    agents = [p for p in org.reports_of("Cleo Turner") if p.name.startswith("Agent")]
    quinn = org["Quinn Solo"]
    sheets = {person: Sheet(1 + i % 7, 8, None) for i, person in enumerate(org.everyone)}
    sheets[quinn] = Sheet(QUINN, 3, None)

    run_survey(client, "October", sheets)  # Sales: reps + Quinn
    moved(reps, cleo)
    moved(agents, ben)
    run_survey(client, "November", sheets)  # Sales: Quinn + agents
    moved(reps, ben)
    moved([quinn], cleo)
    run_survey(client, "December", sheets)  # Sales: reps + agents

    oct_, nov, dec = released_sales_rows()
    assert [r["respondents"] for r in (oct_, nov, dec)] == [REPS + 1, AGENTS + 1, REPS + AGENTS]
    read = {}
    for key in oct_["questions"]:
        shown = [release["questions"][key]["distribution"] for release in (oct_, nov, dec)]
        if None in shown:
            read[key] = set(SCALE_VALUES)
            continue
        twice = [a + b - c for a, b, c in zip(*shown, strict=True)]
        read[key] = {
            value for value in SCALE_VALUES if twice == [2 * (v == value) for v in SCALE_VALUES]
        } or set(SCALE_VALUES)
    assert read, "Sales's questions are released"
    assert all(QUINN in values for values in read.values()), "the attack is sound"
    # The promise: one person's answer is bounded no better than the whole scale.
    pinned = {key: sorted(values) for key, values in read.items() if values != set(SCALE_VALUES)}
    assert not pinned, (
        f"Quinn answered, statement by statement: {pinned}, at precisions "
        f"{[r.get('precision') for r in (oct_, nov, dec)]}"
    )
