"""A joiner read through the coarse steps when the team's figure sits at the edge of a step
(docs/anonymity.md, "Across surveys": "the difference of two releases bounds the few changed
people's answers no better than to an interval as wide as the whole scale").

A coarse step is at least as wide as what k-1 people could move a figure, so the interval the
two releases leave for the joiner is at least as wide as the scale. But it is an interval of
fixed edges, and a joiner's answer must also lie on the scale: when the earlier figure sits
next to an edge of the later step, the joiner is what pushed it over, and the interval meets
the scale in one end only. Nothing random decides where the edges fall, so any team whose
earlier figure happens to lie there is read.

Ada's company: five staff; Cleo leads Support, ten agents: six promoters, three passives and
one detractor, an eNPS of +50 (net five promoters). Jo, a promoter, joins before November:
net six of eleven, +55, which the coarse release shows as +100 (its eNPS step is 100 points),
and +100 over eleven needs a net of six or more. Everyone else answers as before.
"""

import pytest

from teams.models import Person
from teams.team_tree import sync_teams
from tests.anonymity.test_across_surveys import Sheet, as_reader, run_survey
from tests.anonymity.test_regions_between_surveys import ENPS_CLASSES, nets
from tests.org_builder import BuiltOrg, build_org

pytestmark = pytest.mark.django_db

AGENTS_ENPS = (9, 10, 9, 10, 9, 10, 8, 7, 8, 3)
JO_ENPS = 10  # a promoter: what the attack reads


@pytest.fixture
def org() -> BuiltOrg:
    return build_org(
        """
        Ada Lovelace (Company)
          5 staff
          Cleo Turner (Support)
            10 agents
        """
    )


@pytest.mark.xfail(
    strict=True,
    reason="a coarse step has fixed edges: when the earlier figure lies next to one, the "
    "interval the two releases leave meets the scale in one value, the joiner's",
)
def test_a_manager_reads_a_joiners_class_when_the_team_sits_at_the_edge_of_a_step(
    client, org
) -> None:
    sheets = {person: Sheet(5, 8, None) for person in org.everyone}
    for agent, enps in zip(org.reports_of("Cleo Turner"), AGENTS_ENPS, strict=True):
        sheets[agent] = Sheet(5, enps, None)
    october = run_survey(client, "October", sheets)
    jo = Person.objects.create(
        employee_id="jo", email="jo@example.com", name="Jo Iner", manager=org["Cleo Turner"]
    )
    sync_teams()
    november = run_survey(client, "November", {**sheets, jo: Sheet(5, JO_ENPS, None)})

    cleo = org["Cleo Turner"]
    before = as_reader(cleo, october, "Support")
    after = as_reader(cleo, november, "Support")
    for read in (before, after):
        assert read["status"] == "released" and read["enps"] is not None, read
    assert after["precision"] > 1, "the later release is coarse: Jo is to be hidden"
    assert after["enps_respondents"] == before["enps_respondents"] + 1

    classes = {b - a for a in nets(before) for b in nets(after) if b - a in ENPS_CLASSES}
    assert 1 in classes, "the attack is sound"
    # The promise: the joiner's class is bounded no better than the whole scale.
    assert classes == set(ENPS_CLASSES), (
        f"Jo is a {' or '.join(ENPS_CLASSES[c] for c in sorted(classes))}, at precision "
        f"{after['precision']} (eNPS shown as {after['enps']})"
    )
