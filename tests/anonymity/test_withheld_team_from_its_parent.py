"""A team withheld beside an earlier survey, rebuilt from the company above it and the teams
beside it (docs/anonymity.md, "Every combination of two surveys' figures": the units a cut
finds are withheld, and "the graph is drawn again").

The four teams of test_union_of_regions_between_surveys.py pass people along: October's North
+ East less November's is Quinn, so November's East (or North) is withheld. But November's
company less South and West is the company's own people with North and East together, and
October's company less South and West is the same own people with October's North and East:
their difference is Quinn too, without reading North or East at all. The withheld team's people
count in the company, the graph is drawn again, and the company, South or West must be
withheld as well.

Ada's company: six staff; Ben leads North (five alphas, six betas), Cleo East (five gammas and
Quinn), Dora South (five deltas, six epsilons), Eve West (five phis). Before November the betas
move to East, Quinn to South, the epsilons to West. Everyone answers both surveys, and as
before.
"""

import pytest

from surveys.instrument import SCALE_VALUES
from tests.anonymity.test_across_surveys import as_reader, rescaled
from tests.anonymity.test_regions_between_surveys import (
    ENPS_CLASSES,
    nets,
    score_sum_bounds,
    withheld,
)
from tests.anonymity.test_union_of_regions_between_surveys import (
    QUINN,
    org,  # noqa: F401 (the fixture)
    two_surveys,
)

pytestmark = pytest.mark.django_db

TEAMS = ("Company", "North", "East", "South", "West")


def test_the_company_less_south_and_west_does_not_give_the_withheld_team_back(client, org) -> None:  # noqa: F811
    october, november = two_surveys(client, org)

    ada = org["Ada Lovelace"]
    reads = {
        (month, team): as_reader(ada, survey, team)
        for month, survey in (("october", october), ("november", november))
        for team in TEAMS
    }
    assert withheld(reads[("november", "North")]) or withheld(reads[("november", "East")])
    # The promise: one of the figures this combination needs is not shown either.
    signed = [
        (reads[("october", "Company")], 1),
        (reads[("october", "South")], -1),
        (reads[("october", "West")], -1),
        (reads[("november", "Company")], -1),
        (reads[("november", "South")], 1),
        (reads[("november", "West")], 1),
    ]
    if any(read["status"] != "released" or read["enps"] is None for read, _ in signed):
        return
    classes = set()
    for a in nets(signed[0][0]):
        for b in nets(signed[1][0]):
            for c in nets(signed[2][0]):
                for d in nets(signed[3][0]):
                    for e in nets(signed[4][0]):
                        for f in nets(signed[5][0]):
                            if (total := a - b - c - d + e + f) in ENPS_CLASSES:
                                classes.add(total)
    assert -1 in classes, "the attack is sound"
    domain = next(iter(signed[0][0]["domains"]))
    low, high = score_sum_bounds(signed, domain)
    values = {v for v in SCALE_VALUES if low - 1e-9 <= rescaled(v) <= high + 1e-9}
    assert QUINN.value in values, "the attack is sound"
    assert classes == set(ENPS_CLASSES) and values == set(SCALE_VALUES), (
        f"Quinn is a {' or '.join(ENPS_CLASSES[c] for c in sorted(classes))} and answered "
        f"{sorted(values)} on {domain}, at precisions {[r['precision'] for r, _ in signed]}"
    )
