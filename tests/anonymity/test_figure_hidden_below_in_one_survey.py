"""A figure hidden in a team in October and shown in November, read from the regions above it
(docs/anonymity.md, "Every combination of two surveys' figures", and "the count of each figure
on its own").

Where a team's eNPS is hidden, the company's eNPS counts the team's answers among the
company's own people's: for that figure the company's region is its own people and the team.
The checks of every combination draw regions by unit, for every figure alike, and count people
as invited; the pair checks compare a region's count of a figure only where every unit below
it shows that figure. So when the team's eNPS is hidden in October and shown in November,
nothing compares the company's own eNPS region then (its own people and the team's eNPS
answerers) with now (its own people).

Ada's company: six staff; Ben leads Design (Quinn and four designers), Cleo leads Support
(forty agents). In October the four designers and twenty of the agents leave the eNPS
question blank, so Design's eNPS is Quinn's alone and hidden; in November everyone answers
everything. Every statement is answered by everyone both times. The company's eNPS count grows
from 30 to 54, Support's from 20 to 40: no two groups that share people are a few apart.
Yet October's company less Support, less November's
company less Support and Design, is Quinn's eNPS. The staff and the managers answer as before.

A release that shares people with an earlier exact one is shown in whole points only when
everyone in it answered every statement, and everyone it holds was, in the earlier survey, in
a released group that everyone answered (pulse.trends.units_with_unsure_answerers): who
answered is then who was invited, and the attack finds the later figures coarse.
"""

import pytest

from tests.anonymity.test_across_surveys import Sheet, as_reader, run_survey
from tests.anonymity.test_regions_between_surveys import ENPS_CLASSES, nets
from tests.org_builder import BuiltOrg, build_org

pytestmark = pytest.mark.django_db

QUINN = Sheet(3, 5, None)  # what the attack reads: a detractor
AGENT_ENPS = (9, 10, 6, 8, 9, 3, 7, 10, 5, 9)


@pytest.fixture
def org() -> BuiltOrg:
    return build_org(
        """
        Ada Lovelace (Company)
          6 staff
          Ben Carter (Design)
            Quinn Solo
            4 designers
          Cleo Turner (Support)
            40 agents
        """
    )


def test_a_ceo_reads_one_persons_enps_hidden_in_their_team_from_the_regions_above(
    client, org
) -> None:
    quinn = org["Quinn Solo"]
    designers = [p for p in org.reports_of("Ben Carter") if p != quinn]
    agents = org.reports_of("Cleo Turner")
    sheets = {person: Sheet(5, 8, None) for person in org.everyone}
    for i, agent in enumerate(agents):
        sheets[agent] = Sheet(4 + i % 3, AGENT_ENPS[i % len(AGENT_ENPS)], None)
    for i, designer in enumerate(designers):
        sheets[designer] = Sheet(5, (9, 7, 10, 4)[i], None)
    sheets[quinn] = QUINN
    blank = {*designers, *agents[:20]}
    october_sheets = {p: Sheet(s.value, None, None) if p in blank else s for p, s in sheets.items()}

    october = run_survey(client, "October", october_sheets)
    november = run_survey(client, "November", sheets)

    ada = org["Ada Lovelace"]
    read = {
        (month, team): as_reader(ada, survey, team)
        for month, survey in (("october", october), ("november", november))
        for team in ("Company", "Support", "Design")
    }
    assert read[("october", "Design")]["enps"] is None, "Quinn's eNPS alone is hidden"
    for key in [k for k in read if k != ("october", "Design")]:
        assert read[key]["enps"] is not None, read[key]
    assert [read[("october", t)]["respondents"] for t in ("Company", "Support", "Design")] == [
        54,
        40,
        5,
    ]

    # Quinn = (company - Support) in October - (company - Support - Design) in November.
    classes = {
        total
        for a in nets(read[("october", "Company")])
        for b in nets(read[("october", "Support")])
        for c in nets(read[("november", "Company")])
        for d in nets(read[("november", "Support")])
        for e in nets(read[("november", "Design")])
        if (total := a - b - c + d + e) in ENPS_CLASSES
    }
    assert -1 in classes, "the attack is sound"
    # The promise: one person's answer is bounded no better than the whole scale.
    assert classes == set(ENPS_CLASSES), (
        f"Quinn is a {' or '.join(ENPS_CLASSES[c] for c in sorted(classes))}, at precisions "
        f"{ {key: r['precision'] for key, r in read.items()} }"
    )
