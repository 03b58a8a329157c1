"""Three releases of one team whose people rotate, beside two unrelated reshuffles of four
teams each (docs/anonymity.md, "Every combination of every survey's figures": "past 12 of them
it is not made and every unit of this survey they touch is" withheld).

The rotating team is the one of test_three_surveys_rotating_people.py: Sales is six reps and
Quinn in October, Quinn and six agents in November, the reps and the agents in December, and
October + November - December is twice Quinn. Here Support's techs and four teams of twelve
hands take part as well: before December the hands are dealt out again among their four teams,
three from each to each, and three techs change places with the three hands who would have
stayed in the first team. The people in the same teams in every survey then make nineteen
groups of fewer than k (Quinn, the three techs who move, the three who stay, the three hands
who move to Support, and fifteen threes of hands), all joined by the same free coefficients.
Past twelve, the check does not search them: it withholds every unit of December they touch,
Sales among them, which is safe (the first test).

The check goes through the joined groups from the smallest up, and one past twelve that
touches no unit of this survey must not end it (the second test). When four teams of twelve guards were dealt out the
same way between October and November and the guards have left by December, their sixteen
threes are a joined group of their own, smaller than the nineteen and touching no unit of
December: had the check returned there with nothing to withhold, December's Sales would be
shown in whole points beside October's and November's. Every two teams that share people are the same
size or k apart and everyone answers, so no pair rule and no check of two surveys sees
anything; October + November - December is twice Quinn.

Ada's company: six staff; Ben leads Sales, Cleo Support (six agents, six techs); four leads a
team of twelve hands each and, in the attack, four more a team of twelve guards each. Everyone
answers every survey, and as before.
"""

import pytest

from surveys.instrument import SCALE_VALUES
from teams.models import Person
from teams.team_tree import sync_teams
from tests.anonymity.test_across_surveys import as_reader, rescaled, run_survey
from tests.anonymity.test_regions_between_surveys import (
    ENPS_CLASSES,
    nets,
    score_sum_bounds,
    withheld,
)
from tests.anonymity.test_three_surveys_rotating_people import (
    AGENTS,
    OTHERS,
    QUINN,
    REPS,
    TECHS,
)
from tests.org_builder import BuiltOrg, build_org

pytestmark = pytest.mark.django_db

TEAMS = 4
PER_TEAM = 12  # a team's size, as Support's: every two teams that share people are 0 or k apart
DEALT = PER_TEAM // TEAMS


def outline(guards: bool) -> str:
    lines = [
        "Ada Lovelace (Company)",
        "  6 staff",
        "  Ben Carter (Sales)",
        "    6 reps",
        "    Quinn Solo",
        "  Cleo Turner (Support)",
        "    6 agents",
        "    6 techs",
    ]
    for team in range(TEAMS):
        lines += [f"  Hal Lead{team} (Hands{team})", f"    {PER_TEAM} hands"]
    if guards:
        for team in range(TEAMS):
            lines += [f"  Gil Lead{team} (Guards{team})", f"    {PER_TEAM} guards"]
    return "\n".join(lines)


def named(org: BuiltOrg, word: str) -> list[Person]:
    return [person for name, person in org.people.items() if name.startswith(f"{word} ")]


def moved(people: list[Person], manager: Person) -> None:
    Person.objects.filter(pk__in=[p.pk for p in people]).update(manager=manager)


def dealt_out(org: BuiltOrg, word: str, lead: str) -> None:
    """Each team of twelve `word`s sends three of its people to each of the four teams."""
    people = named(org, word)
    for team in range(TEAMS):
        members = people[PER_TEAM * team : PER_TEAM * (team + 1)]
        for other in range(TEAMS):
            moved(members[DEALT * other : DEALT * (other + 1)], org[f"{lead}{other}"])


def three_releases_of_sales(client, guards: bool) -> list[dict]:
    org = build_org(outline(guards))
    ben, cleo = org["Ben Carter"], org["Cleo Turner"]
    reps, agents, techs = named(org, "Rep"), named(org, "Agent"), named(org, "Tech")
    quinn = org["Quinn Solo"]
    sheets = {
        **{p: OTHERS for p in org.everyone},
        **dict(zip(reps, REPS, strict=True)),
        **dict(zip(agents, AGENTS, strict=True)),
        **dict(zip(techs, TECHS, strict=True)),
        quinn: QUINN,
    }
    october = run_survey(client, "October", sheets)  # Sales: reps + Quinn
    moved(reps, cleo)
    moved(agents, ben)
    if guards:
        dealt_out(org, "Guard", "Gil Lead")
    sync_teams()
    november = run_survey(client, "November", sheets)  # Sales: Quinn + agents
    moved(reps, ben)
    moved([quinn], cleo)
    dealt_out(org, "Hand", "Hal Lead")
    # Three techs and the three hands who would stay in Hands0 change places.
    moved(techs[:DEALT], org["Hal Lead0"])
    moved(named(org, "Hand")[:DEALT], cleo)
    if guards:
        guard_people = named(org, "Guard")
        Person.objects.filter(pk__in=[p.pk for p in guard_people]).update(active=False)
        for person in guard_people:
            sheets.pop(person)
    sync_teams()
    december = run_survey(client, "December", sheets)  # Sales: reps + agents
    return [as_reader(ben, survey, "Sales") for survey in (october, november, december)]


def test_the_third_release_is_withheld_beside_many_small_groups(client) -> None:
    reads = three_releases_of_sales(client, guards=False)
    assert [read["precision"] for read in reads[:2]] == [1, 1], "no two surveys give Quinn away"
    assert withheld(reads[2]), "October + November - December is twice Quinn"


def test_guards_who_left_hide_the_combination_from_the_check(client) -> None:
    reads = three_releases_of_sales(client, guards=True)
    assert [read["eligible"] for read in reads] == [7, 7, 12]
    # The promise: December is withheld, so there is nothing to subtract.
    if withheld(reads[2]):
        return
    for read in reads:
        assert read["status"] == "released" and read["enps"] is not None, read

    oct_, nov, dec = reads
    classes = {
        (a + b - c) // 2
        for a in nets(oct_)
        for b in nets(nov)
        for c in nets(dec)
        if (a + b - c) % 2 == 0 and (a + b - c) // 2 in ENPS_CLASSES
    }
    assert -1 in classes, "the attack is sound"
    domain = next(iter(oct_["domains"]))
    low, high = score_sum_bounds(((oct_, 1), (nov, 1), (dec, -1)), domain)
    values = {v for v in SCALE_VALUES if low / 2 - 1e-9 <= rescaled(v) <= high / 2 + 1e-9}
    assert QUINN.value in values, "the attack is sound"

    # The promise: one person's answer is bounded no better than the whole scale.
    assert classes == set(ENPS_CLASSES) and values == set(SCALE_VALUES), (
        f"Quinn is a {' or '.join(ENPS_CLASSES[c] for c in sorted(classes))} and answered "
        f"{sorted(values)} on {domain}, at precisions {[r['precision'] for r in reads]}"
    )
