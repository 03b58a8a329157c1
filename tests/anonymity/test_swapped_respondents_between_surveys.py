"""Two releases of one team whose invitees are the same but whose respondents are not
(docs/anonymity.md, "Across surveys": "Trends do not isolate a joiner or a leaver").

When one agent who answered in October stays silent in November and one who was silent
answers, the invitees are the same people and every count is the same; were both releases
shown finely, November's figures less October's would be one agent's answer less another's,
and someone who took backups while the surveys were open knows which two agents.

Cleo leads Support, ten agents. In October Ana (a detractor) answers and Zed does not; in
November Zed (a promoter) answers and Ana does not. Everyone else answers as before.
"""

import pytest

from tests.anonymity.test_across_surveys import Sheet, agents_sheets, as_reader, run_survey
from tests.anonymity.test_regions_between_surveys import nets
from tests.org_builder import BuiltOrg, build_org

pytestmark = pytest.mark.django_db

ANA_ENPS = 3  # a detractor
ZED_ENPS = 10  # a promoter


@pytest.fixture
def org() -> BuiltOrg:
    return build_org(
        """
        Ada Lovelace (Company)
          10 staff
          Cleo Turner (Support)
            10 agents
        """
    )


def test_a_manager_reads_two_agents_classes_when_one_answers_instead_of_the_other(
    client, org
) -> None:
    sheets = agents_sheets(org)
    agents = org.reports_of("Cleo Turner")
    ana, zed = agents[0], agents[9]
    october = run_survey(
        client,
        "October",
        {**{p: s for p, s in sheets.items() if p != zed}, ana: Sheet(5, ANA_ENPS, None)},
    )
    november = run_survey(
        client,
        "November",
        {**{p: s for p, s in sheets.items() if p != ana}, zed: Sheet(5, ZED_ENPS, None)},
    )

    cleo = org["Cleo Turner"]
    before = as_reader(cleo, october, "Support")
    after = as_reader(cleo, november, "Support")
    for read in (before, after):
        assert read["status"] == "released" and read["enps"] is not None, read
    possible = {b - a for a in nets(before) for b in nets(after) if -2 <= b - a <= 2}
    assert 2 in possible, "the attack is sound"
    # The promise: the two agents' classes are bounded no better than the whole scale.
    assert possible == {-2, -1, 0, 1, 2}, (
        f"Zed's class less Ana's is {sorted(possible)}, at precision "
        f"{before['precision']} and {after['precision']}"
    )
