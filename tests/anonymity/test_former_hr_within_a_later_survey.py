"""Four officers who ran HR when October closed work in East beside Quinn in November, no
longer HR (docs/anonymity.md, "Results: what the readers can work out", and "Across
surveys": "whoever could read the results of any survey ... knows their own answers in all
of them").

Within a survey, a figure needs k respondents beyond the readers, and the readers counted
there are the readers of every survey (surveys.selectors.viewers_per_unit): East, five
respondents of whom four read October's results, has one respondent beyond them and is
hidden, whether October was answered and released or released nothing. Without that, East
was shown in whole points when October released nothing (East less the officers' own
answers is Quinn's), and in coarse steps beside an answered October, whose side of the
step's edge is the side of the scale Quinn is on.

Ada's company: five staff; Ben leads North (five alphas), Cleo leads East: Quinn and four
officers.
"""

import pytest
from django.contrib.auth.models import User

from surveys.instrument import SCALE_VALUES
from teams.models import Person
from tests.anonymity.test_across_surveys import Sheet, as_reader, rescaled, run_survey
from tests.anonymity.test_regions_between_surveys import (
    ENPS_CLASSES,
    net_of,
    nets,
    score_sum_bounds,
    withheld,
)
from tests.anonymity.test_union_of_regions_between_surveys import group
from tests.anonymity.test_union_of_regions_with_former_hr import made_hr
from tests.org_builder import BuiltOrg, build_org

pytestmark = pytest.mark.django_db

QUINN = Sheet(7, 2, None)  # what the attack reads: agrees throughout, a detractor
# Half way up the scale, all four: East's mean then crosses its step's edge where Quinn does.
OFFICERS = (Sheet(4, 9, None), Sheet(4, 10, None), Sheet(4, 8, None), Sheet(4, 7, None))


@pytest.fixture
def org() -> BuiltOrg:
    return build_org(
        """
        Ada Lovelace (Company)
          5 staff
          Ben Carter (North)
            5 alphas
          Cleo Turner (East)
            Quinn Solo
            4 officers
        """
    )


def read_quinn_in_november(client, org: BuiltOrg, *, october_answered: bool) -> None:
    sheets = {person: Sheet(5, 8, None) for person in org.everyone}
    officers = group(org, "Officer")
    for officer, sheet in zip(officers, OFFICERS, strict=True):
        sheets[officer] = sheet
    quinn = org["Quinn Solo"]
    sheets[quinn] = QUINN
    logins = made_hr(officers)

    run_survey(client, "October", sheets if october_answered else {})
    # The officers give up HR; they stay in East.
    for login in logins:
        login.groups.clear()
    assert not User.objects.filter(groups__name__isnull=False).exists()
    november = run_survey(client, "November", sheets)

    east = as_reader(Person.objects.get(pk=org["Cleo Turner"].pk), november, "East")
    assert east["eligible"] == 5
    # The promise: East is withheld or hidden, so there is nothing to subtract from.
    if withheld(east) or east["status"] != "released" or east["enps"] is None:
        return

    officers_enps = net_of(OFFICERS)
    classes = {net - officers_enps for net in nets(east)} & set(ENPS_CLASSES)
    assert -1 in classes, "the attack is sound"
    domain = next(iter(east["domains"]))
    low, high = score_sum_bounds(
        [(east, 1)], domain, start=-sum(rescaled(s.value) for s in OFFICERS)
    )
    values = {v for v in SCALE_VALUES if low - 1e-9 <= rescaled(v) <= high + 1e-9}
    assert QUINN.value in values, "the attack is sound"

    # The promise: one person's answer is bounded no better than the whole scale.
    assert classes == set(ENPS_CLASSES) and values == set(SCALE_VALUES), (
        f"Quinn is a {' or '.join(ENPS_CLASSES[c] for c in sorted(classes))} and answered "
        f"{sorted(values)} on {domain}, at precision {east['precision']}"
    )


def test_former_hr_beside_an_answered_october_cannot_read_their_colleague(client, org) -> None:
    read_quinn_in_november(client, org, october_answered=True)


def test_former_hr_of_an_october_nobody_answered_cannot_read_their_colleague(client, org) -> None:
    read_quinn_in_november(client, org, october_answered=False)
