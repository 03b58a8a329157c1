"""Two surveys of four teams that pass people along, where four of the five who leave two of
the teams were HR in October and are not in November (docs/anonymity.md, "Every combination
of two surveys' figures": pieces "weighted by the people in them who cannot read results").

In October Cleo's East is five gammas, Quinn and four officers who are HR that month (readers
of October's results, who know their own answers). Before November the four give up HR, and
they and Quinn move to South: five people leave North and East together, a cut of k as
invited, but only Quinn among them is someone other than a reader of some survey. The
combination checks count the readers of every survey taken together, so the cut is one
person and November's East is withheld, whether or not the officers keep their logins.
Employees answer through their links and need no login, so when the officers step down from
HR their logins may well be deleted; the record that they read October keeps the person behind
each login (surveys.models.CycleReader), so the cut is still one person. Were it forgotten,
the cut would be five, November exact, and October's North + East less November's, less the
officers' own answers, Quinn's.

Ada's company: six staff; Ben leads North (five alphas, five betas), Dora South (five deltas,
five epsilons), Eve West (five phis): every two teams that share people have the same number
of respondents or five apart. Before November the betas move to East, Quinn and the
officers to South, the epsilons to West. Everyone answers both surveys, and as before.
"""

import pytest
from django.contrib.auth.models import User

from surveys.instrument import SCALE_VALUES
from teams.models import Person
from teams.roles import ensure_hr_group
from teams.team_tree import sync_teams
from tests.anonymity.test_across_surveys import Sheet, as_reader, rescaled, run_survey
from tests.anonymity.test_regions_between_surveys import (
    ENPS_CLASSES,
    nets,
    score_sum_bounds,
    withheld,
)
from tests.anonymity.test_union_of_regions_between_surveys import ENPS, VALUES, group, moved
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
        """
    )


def made_hr(people: list[Person]) -> list[User]:
    logins = []
    for person in people:
        login = User.objects.create_user(person.email, person.email, "pw")
        login.groups.add(ensure_hr_group())
        Person.objects.filter(pk=person.pk).update(user=login)
        logins.append(login)
    return logins


def read_quinn(client, org: BuiltOrg, step_down) -> list[dict]:
    """October, the officers step down from HR (`step_down` takes their logins), November; then
    the attack, asserting the promise. October's and November's North and East as Ada reads
    them."""
    sheets = {person: Sheet(5, 8, None) for person in org.everyone}
    for word in ("Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Phi", "Officer"):
        for person, value, enps in zip(group(org, word), VALUES, ENPS, strict=False):
            sheets[person] = Sheet(value, enps, None)
    quinn = org["Quinn Solo"]
    sheets[quinn] = QUINN
    officers = group(org, "Officer")
    logins = made_hr(officers)

    october = run_survey(client, "October", sheets)
    step_down(logins)
    moved(group(org, "Beta"), org["Cleo Turner"])
    moved([quinn, *officers], org["Dora New"])
    moved(group(org, "Epsilon"), org["Eve Stone"])
    sync_teams()
    november = run_survey(client, "November", sheets)

    ada = org["Ada Lovelace"]
    reads = {
        (month, team): as_reader(ada, survey, team)
        for month, survey in (("october", october), ("november", november))
        for team in ("North", "East")
    }
    north_then, east_then = reads[("october", "North")], reads[("october", "East")]
    north_now, east_now = reads[("november", "North")], reads[("november", "East")]
    assert [r["eligible"] for r in (north_then, east_then, north_now, east_now)] == [10, 10, 5, 10]
    # The promise: November's North or East is withheld, so there is nothing to subtract.
    if withheld(north_now) or withheld(east_now):
        return [north_then, east_then, north_now, east_now]
    for read in reads.values():
        assert read["status"] == "released" and read["enps"] is not None, read
    # The officers tell what they answered; the rest of the combination is Quinn.
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
    return [north_then, east_then, north_now, east_now]


def test_former_hr_among_the_leavers_still_count_as_readers_in_the_cut(client, org) -> None:
    """The officers leave the HR group and keep their logins: the record that they read
    October stays, the cut is Quinn alone, and November's East is withheld."""

    def leave_hr(logins: list[User]) -> None:
        for login in logins:
            login.groups.clear()

    reads = read_quinn(client, org, leave_hr)
    assert [read["precision"] for read in reads[:2]] == [1, 1]
    assert any(withheld(read) for read in reads[2:]), (
        "October's North + East less November's is Quinn alone"
    )


def test_former_hr_whose_logins_are_deleted_still_count_as_readers(client, org) -> None:
    """Employees answer through their links and need no login; when the officers step down from
    HR their logins are deleted. They read October's results while HR and remember their own
    answers, and the record of it keeps who they are."""

    def delete_logins(logins: list[User]) -> None:
        for login in logins:
            login.delete()

    reads = read_quinn(client, org, delete_logins)
    assert [read["precision"] for read in reads[:2]] == [1, 1]
    assert any(withheld(read) for read in reads[2:]), (
        "October's North + East less November's is Quinn alone"
    )
