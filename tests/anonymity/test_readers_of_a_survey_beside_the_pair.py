"""Two surveys of four teams that pass people along, where four of the five who leave two of
the teams were HR for a third survey, of another team, in between (docs/anonymity.md, "Across
surveys": "Readers are counted across every survey, not only the two compared").

In September Cleo's East is five gammas, Quinn and four officers; nobody is HR. Before October
the four officers are made HR, and HR runs a pulse of Fay's Lab alone (a cadence whose
population is Lab); one lab member does not answer it, so Lab's October figures are shown
coarser beside September's. The officers read October's results as HR, then step down. Before
November they and Quinn move to South: five people leave North and East together.

The officers were readers of neither September nor November, and October, whose only
release is coarse, has nothing exact to combine. Were only the readers of the surveys compared
counted, the cut would be five, November's North and East in whole points, and September's
North + East less November's, less the officers' own September answers, Quinn. So every
comparison counts the readers of every survey, whichever (surveys.selectors
.readers_of_every_cycle): the cut is Quinn alone, and November's East is withheld.

The same when the pulse of Lab the officers were HR for released nothing (four of six
answered: fewer than k at its top, destroyed unopened), with two exact surveys before
November: they are its readers all the same. And when October is a pulse of everyone that
nobody skips, its figures are exact, and November's East is withheld (the last test).

Ada's company: six staff; Ben leads North (five alphas, five betas), Dora South (five deltas,
five epsilons), Eve West (five phis), Fay Lab (six labs). Before November the betas move to
East, Quinn and the officers to South, the epsilons to West. Everyone answers September and
November, and as before.
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
from tests.anonymity.test_across_surveys import Sheet, answer, as_reader, rescaled, run_survey
from tests.anonymity.test_regions_between_surveys import (
    ENPS_CLASSES,
    nets,
    score_sum_bounds,
    withheld,
)
from tests.anonymity.test_union_of_regions_between_surveys import ENPS, VALUES, group, moved
from tests.anonymity.test_union_of_regions_with_former_hr import made_hr
from tests.org_builder import BuiltOrg, build_org

pytestmark = pytest.mark.django_db

QUINN = Sheet(7, 2, None)  # what the attack reads: agrees throughout, a detractor


@pytest.fixture
def org() -> BuiltOrg:
    return build_org(
        """
        Ada Lovelace (Company)
          6 staff
          Ben Carter (North)
            5 alphas
            5 betas
          Cleo Turner (East)
            5 gammas
            Quinn Solo
            4 officers
          Dora New (South)
            5 deltas
            5 epsilons
          Eve Stone (West)
            5 phis
          Fay Wong (Lab)
            6 labs
        """
    )


def lab_pulse(client, org: BuiltOrg, sheets: dict[Person, Sheet]) -> Survey:
    """HR's pulse of Lab alone: a cadence whose population is Lab and everything below it."""
    mail.outbox.clear()
    cadence = Cadence.objects.create(
        name="Lab pulse", kind="monthly", population_team=org.team("Lab")
    )
    Cadence.objects.filter(pk=cadence.pk).update(population_is_team=True)
    cadence.refresh_from_db()
    cycle = launch_now(cadence=cadence, now=timezone.now())
    run_tick()
    survey = Survey(cycle=cycle, links=emailed_links())
    for person, sheet in sheets.items():
        answer(client, survey, person, sheet)
    close_cycle(cycle_id=cycle.pk)
    assert cycle.pk in run_pulse_tick().released
    return survey


def september_sheets(org: BuiltOrg) -> dict[Person, Sheet]:
    sheets = {person: Sheet(5, 8, None) for person in org.everyone}
    for word in ("Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Phi", "Officer", "Lab"):
        for person, value, enps in zip(group(org, word), VALUES, ENPS, strict=False):
            sheets[person] = Sheet(value, enps, None)
    sheets[org["Quinn Solo"]] = QUINN
    return sheets


def read_quinn(client, org: BuiltOrg, sheets: dict[Person, Sheet], september: Survey) -> None:
    """The moves, November, and the attack on September's and November's North and East as
    Ada reads them, asserting the promise."""
    quinn, officers = org["Quinn Solo"], group(org, "Officer")
    moved(group(org, "Beta"), org["Cleo Turner"])
    moved([quinn, *officers], org["Dora New"])
    moved(group(org, "Epsilon"), org["Eve Stone"])
    sync_teams()
    november = run_survey(client, "November", sheets)

    ada = org["Ada Lovelace"]
    reads = {
        (month, team): as_reader(ada, survey, team)
        for month, survey in (("september", september), ("november", november))
        for team in ("North", "East")
    }
    north_then, east_then = reads[("september", "North")], reads[("september", "East")]
    north_now, east_now = reads[("november", "North")], reads[("november", "East")]
    assert [r["eligible"] for r in (north_then, east_then, north_now, east_now)] == [10, 10, 5, 10]
    # The promise, as the checks keep it: November's North or East is withheld, so there is
    # nothing to subtract.
    if withheld(north_now) or withheld(east_now):
        return
    for read in reads.values():
        assert read["status"] == "released" and read["enps"] is not None, read
    # The officers tell what they answered in September; the rest of the combination is Quinn.
    officer_scores = [score for p in officers if (score := sheets[p].enps) is not None]
    officers_enps = sum(int(score >= 9) - int(score <= 6) for score in officer_scores)
    officers_value = sum(rescaled(sheets[p].value) for p in officers)
    signed = ((north_then, 1), (east_then, 1), (north_now, -1), (east_now, -1))
    classes = {
        total - officers_enps
        for a in nets(north_then)
        for b in nets(east_then)
        for c in nets(north_now)
        for d in nets(east_now)
        if (total := a + b - c - d) - officers_enps in ENPS_CLASSES
    }
    assert -1 in classes, "the attack is sound"
    domain = next(iter(north_then["domains"]))
    low, high = score_sum_bounds(signed, domain, start=-officers_value)
    values = {v for v in SCALE_VALUES if low - 1e-9 <= rescaled(v) <= high + 1e-9}
    assert QUINN.value in values, "the attack is sound"

    # The promise: one person's answer is bounded no better than the whole scale.
    assert classes == set(ENPS_CLASSES) and values == set(SCALE_VALUES), (
        f"Quinn is a {' or '.join(ENPS_CLASSES[c] for c in sorted(classes))} and answered "
        f"{sorted(values)} on {domain}, at precisions "
        f"{[r['precision'] for r, _ in signed]}"
    )


def test_officers_who_were_hr_for_another_survey_in_between_are_not_counted(client, org) -> None:
    sheets = september_sheets(org)
    officers = group(org, "Officer")
    september = run_survey(client, "September", sheets)

    # The officers are HR for October's pulse of Lab, read it, and step down.
    logins = made_hr(officers)
    labs = group(org, "Lab")
    october = lab_pulse(client, org, {person: sheets[person] for person in labs[1:]})
    lab_then = as_reader(org["Fay Wong"], october, "Lab")
    assert lab_then["status"] == "released" and lab_then["precision"] > 1, lab_then
    # They read it as HR: the record of it counts them as October's readers.
    hr_reads = [as_reader(Person.objects.get(pk=p.pk), october, "Lab") for p in officers]
    assert all(read["status"] == "released" for read in hr_reads)
    for login in logins:
        login.groups.clear()

    read_quinn(client, org, sheets, september)


def test_officers_who_were_hr_for_a_survey_that_released_nothing_are_not_counted(
    client, org
) -> None:
    """Two exact surveys before, so the check of every survey's figures runs; but the pulse of
    Lab the officers were HR for released nothing (four of six answered, fewer than k at its
    top, destroyed unopened), so it is among no survey's earlier releases and its readers are
    counted nowhere."""
    sheets = september_sheets(org)
    officers = group(org, "Officer")
    run_survey(client, "August", sheets)
    september = run_survey(client, "September", sheets)

    logins = made_hr(officers)
    labs = group(org, "Lab")
    october = lab_pulse(client, org, {person: sheets[person] for person in labs[2:]})
    assert as_reader(org["Fay Wong"], october, "Lab")["status"] == "suppressed"
    for login in logins:
        login.groups.clear()

    read_quinn(client, org, sheets, september)


def test_officers_counted_when_hr_for_the_whole_survey_in_between(client, org) -> None:
    """The same, with October a pulse of everyone that nobody skips: October has exact figures,
    so the check of every survey's figures runs, counts the officers, and withholds."""
    sheets = {person: Sheet(5, 8, None) for person in org.everyone}
    for word in ("Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Phi", "Officer", "Lab"):
        for person, value, enps in zip(group(org, word), VALUES, ENPS, strict=False):
            sheets[person] = Sheet(value, enps, None)
    sheets[org["Quinn Solo"]] = QUINN
    officers = group(org, "Officer")
    run_survey(client, "September", sheets)
    logins = made_hr(officers)
    run_survey(client, "October", sheets)
    for login in logins:
        login.groups.clear()
    moved(group(org, "Beta"), org["Cleo Turner"])
    moved([org["Quinn Solo"], *officers], org["Dora New"])
    moved(group(org, "Epsilon"), org["Eve Stone"])
    sync_teams()
    november = run_survey(client, "November", sheets)
    ada = org["Ada Lovelace"]
    now = [as_reader(ada, november, team) for team in ("North", "East")]
    assert any(withheld(read) for read in now), now
