"""Two surveys of four teams that pass people along, read as a union of two teams' regions
(docs/anonymity.md, "Every combination of two surveys' figures").

Each release is compared with every earlier group or region it overlaps, one against one, and
with the components its regions form with the earlier regions (joined by the people they
share, transitively). A reorganisation that passes one group of each team on to the next joins
all four teams into one component that lost and gained nobody; and every pair of a team now and
a team then that share people differs by at least k people, and by 0 or at least k respondents.
Yet North and East together lost exactly one person to South: October's North + East less
November's North + East is that person's answer. Every combination of the two surveys' figures
is checked, so November's East is withheld.

Ada's company: six staff. In October Ben's North is five alphas and six betas, Cleo's East five
gammas and Quinn, Dora's South five deltas and six epsilons, Eve's West five phis. Before
November the betas move to East, Quinn to South, the epsilons to West. Everyone answers both
surveys, and as before.
"""

import re

import pytest

from surveys.instrument import SCALE_VALUES
from teams.models import Person
from teams.team_tree import sync_teams
from tests.anonymity.test_across_surveys import Sheet, Survey, as_reader, rescaled, run_survey
from tests.anonymity.test_regions_between_surveys import (
    ENPS_CLASSES,
    nets,
    score_sum_bounds,
    withheld,
)
from tests.org_builder import BuiltOrg, build_org

pytestmark = pytest.mark.django_db

QUINN = Sheet(7, 2, None)  # what the attack reads: agrees throughout, a detractor
VALUES = (6, 5, 3, 4, 6, 5)
ENPS = (9, 10, 8, 7, 9, 6)


@pytest.fixture
def org() -> BuiltOrg:
    return build_org(
        """
        Ada Lovelace (Company)
          6 staff
          Ben Carter (North)
            5 alphas
            6 betas
          Cleo Turner (East)
            5 gammas
            Quinn Solo
          Dora New (South)
            5 deltas
            6 epsilons
          Eve Stone (West)
            5 phis
        """
    )


def group(org: BuiltOrg, word: str) -> list[Person]:
    return [person for name, person in org.people.items() if name.startswith(f"{word} ")]


def moved(people: list[Person], manager: Person) -> None:
    Person.objects.filter(pk__in=[p.pk for p in people]).update(manager=manager)


def two_surveys(client, org: BuiltOrg) -> tuple[Survey, Survey]:
    """October, the reorganisation, November."""
    sheets = {person: Sheet(5, 8, None) for person in org.everyone}
    for word in ("Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Phi"):
        for person, value, enps in zip(group(org, word), VALUES, ENPS, strict=False):
            sheets[person] = Sheet(value, enps, None)
    sheets[org["Quinn Solo"]] = QUINN

    october = run_survey(client, "October", sheets)
    moved(group(org, "Beta"), org["Cleo Turner"])
    moved([org["Quinn Solo"]], org["Dora New"])
    moved(group(org, "Epsilon"), org["Eve Stone"])
    sync_teams()
    return october, run_survey(client, "November", sheets)


def test_a_ceo_reads_one_person_from_two_teams_that_together_lost_only_them(client, org) -> None:
    october, november = two_surveys(client, org)
    ada = org["Ada Lovelace"]
    reads = {
        (month, team): as_reader(ada, survey, team)
        for month, survey in (("october", october), ("november", november))
        for team in ("North", "East", "South", "West")
    }
    north_then, east_then = reads[("october", "North")], reads[("october", "East")]
    north_now, east_now = reads[("november", "North")], reads[("november", "East")]
    assert [r["eligible"] for r in (north_then, east_then, north_now, east_now)] == [11, 6, 5, 11]
    # The promise: November's North or East is withheld, so there is nothing to subtract.
    if withheld(north_now) or withheld(east_now):
        return
    for read in reads.values():
        assert read["status"] == "released" and read["enps"] is not None, read

    signed = ((north_then, 1), (east_then, 1), (north_now, -1), (east_now, -1))
    classes = {
        total
        for a in nets(north_then)
        for b in nets(east_then)
        for c in nets(north_now)
        for d in nets(east_now)
        if (total := a + b - c - d) in ENPS_CLASSES
    }
    assert -1 in classes, "the attack is sound"

    domain = next(iter(north_then["domains"]))
    low, high = score_sum_bounds(signed, domain)
    values = {v for v in SCALE_VALUES if low - 1e-9 <= rescaled(v) <= high + 1e-9}
    assert QUINN.value in values, "the attack is sound"

    # The promise: one person's answer is bounded no better than the whole scale.
    assert classes == set(ENPS_CLASSES) and values == set(SCALE_VALUES), (
        f"Quinn is a {' or '.join(ENPS_CLASSES[c] for c in sorted(classes))} and answered "
        f"{sorted(values)} on {domain}, at precisions "
        f"{[r['precision'] for r, _ in signed]}"
    )


def test_the_pages_say_why_a_withheld_team_is_not_shown(client, org) -> None:
    """Cleo's dashboard and Ada's list of the units below her say why East is not shown in
    November, and show none of its figures."""
    _october, november = two_surveys(client, org)
    why = "Beside earlier surveys&#x27; figures it would describe fewer than 5 people"
    cleo, ada = org["Cleo Turner"], org["Ada Lovelace"]
    east = as_reader(cleo, november, "East")
    assert withheld(east) and east["respondents"] is None and east["domains"] == {}

    client.force_login(cleo.user)
    page = client.get(f"/dashboard/?cycle={november.cycle.pk}").content.decode()
    assert f"Not shown:</strong> {why}" in page
    assert "eNPS (\u2212100 to 100)" not in page, "no figure of East is on Cleo's page"

    as_reader(ada, november, "Company")  # gives Ada a login
    client.force_login(org["Ada Lovelace"].user)
    page = client.get(f"/dashboard/?cycle={november.cycle.pk}").content.decode()
    rows = [row for row in re.findall(r"<tr.*?</tr>", page, re.DOTALL) if "East" in row]
    assert rows and all(why in row for row in rows), rows
