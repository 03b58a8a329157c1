"""Releases of teams of 400 or more whose people move, added and subtracted together and
read from the stored answer counts (docs/anonymity.md, "Every combination of two surveys'
figures" and "Every combination of every survey's figures").

Whole points blur what k-1 people move a mean over 200 (k-1) respondents, but they do nothing
to a count: a release that no check finds a few apart keeps every question's exact count of
each answer 1 to 7. So the checks of every combination count such a group as exact, and one
they find is withheld. Both attacks are at k = 3 (allowed; 400 is 200 (k-1)); at
k = 5 the same holds from 800.

Three surveys: the rotating team of test_three_surveys_rotating_people.py, grown. Sales is 400
reps and Quinn in October, Quinn and 405 agents in November, the reps and the agents in
December; the others wait in Support with six technicians. Every pair of surveys differs by
hundreds of people, and every Sales and Support figure is of 400 or more but December's
Support (Quinn and the technicians), so every combination check passes. October's Sales
distribution + November's - December's is twice Quinn's answer, statement by statement.

Two surveys: the four teams of test_union_of_regions_between_surveys.py, North and East grown
to 400 and more (below).

The insider holds the dumps taken while later surveys were open (A1), which hold the released
figures of the earlier ones. Everyone answers every survey, and as before.
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


def released_rows(team: str) -> list[dict]:
    """The insider's dump: a team's releases, oldest survey first: the figures stored, and the
    respondents, the people invited and the status beside them."""
    dump = take_dump()
    units = {row["id"] for row in dump.rows("surveys_cycleteam") if row["name"] == team}
    closes_at = {row["id"]: row["closes_at"] for row in dump.rows("surveys_cycle")}
    rows = [row for row in dump.rows("pulse_releasedunit") if row["unit_id"] in units]
    rows.sort(key=lambda row: closes_at[row["cycle_id"]])
    return [
        {
            **json_value(row["figures"]),
            **{name: row[name] for name in ("respondents", "eligible", "status", "reason")},
        }
        for row in rows
    ]


def distribution(release: dict, key: str) -> list[int] | None:
    """A question's stored answer counts: None when hidden, or the whole release withheld."""
    return release.get("questions", {}).get(key, {}).get("distribution")


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

    oct_, nov, dec = released_rows("Sales")
    assert [r["eligible"] for r in (oct_, nov, dec)] == [REPS + 1, AGENTS + 1, REPS + AGENTS]
    read = {}
    for key in oct_["questions"]:
        shown = [distribution(release, key) for release in (oct_, nov, dec)]
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


@pytest.fixture
def passing_org() -> BuiltOrg:
    return build_org(
        f"""
        Ada Lovelace (Company)
          10 staff
          Ben Carter (North)
            {REPS} alphas
            6 betas
          Cleo Turner (East)
            {REPS} gammas
            Quinn Solo
          Dora New (South)
            5 deltas
            6 epsilons
          Eve Stone (West)
            5 phis
        """
    )


def test_an_insider_reads_one_person_from_two_teams_of_400_that_together_lost_only_them(
    client, passing_org
) -> None:
    """The four teams of test_union_of_regions_between_surveys.py, North and East grown to 400
    and more: the betas move from North to East, Quinn from East to South, the epsilons from
    South to West. North and East together lost Quinn alone; the cut that says so is not drawn,
    as both are of 400 or more, and their releases keep their exact answer counts."""
    org = passing_org
    quinn = org["Quinn Solo"]
    sheets = {person: Sheet(1 + i % 7, 8, None) for i, person in enumerate(org.everyone)}
    sheets[quinn] = Sheet(QUINN, 3, None)

    def word(name: str) -> list[Person]:
        return [p for n, p in org.people.items() if n.startswith(f"{name} ")]

    run_survey(client, "October", sheets)
    Person.objects.filter(pk__in=[p.pk for p in word("Beta")]).update(manager=org["Cleo Turner"])
    Person.objects.filter(pk=quinn.pk).update(manager=org["Dora New"])
    Person.objects.filter(pk__in=[p.pk for p in word("Epsilon")]).update(manager=org["Eve Stone"])
    sync_teams()
    run_survey(client, "November", sheets)

    north_then, north_now = released_rows("North")
    east_then, east_now = released_rows("East")
    assert [r["eligible"] for r in (north_then, east_then, north_now, east_now)] == [
        REPS + 6,
        REPS + 1,
        REPS,
        REPS + 6,
    ]
    read = {}
    for key in north_then["questions"]:
        shown = [
            distribution(release, key) for release in (north_then, east_then, north_now, east_now)
        ]
        if None in shown:
            read[key] = set(SCALE_VALUES)
            continue
        left = [a + b - c - d for a, b, c, d in zip(*shown, strict=True)]
        read[key] = {
            value for value in SCALE_VALUES if left == [int(v == value) for v in SCALE_VALUES]
        } or set(SCALE_VALUES)
    assert read, "North's questions are released"
    assert all(QUINN in values for values in read.values()), "the attack is sound"
    # The promise: one person's answer is bounded no better than the whole scale.
    pinned = {key: sorted(values) for key, values in read.items() if values != set(SCALE_VALUES)}
    assert not pinned, f"Quinn answered, statement by statement: {pinned}"
