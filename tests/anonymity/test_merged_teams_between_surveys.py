"""Two teams merged into one, read against both of their earlier releases (docs/anonymity.md,
"Across surveys").

Each release is compared with every earlier published group or region that overlaps it, one
against one. A team that takes in a sibling team is compared with each of the two earlier
teams on its own, and differs from each by the other's people; it is never compared with the
two of them together. When the merged team is the two earlier teams and one joiner, its figure
less the two earlier figures is the joiner's answer, and every comparison the rule makes saw
at least k people change.

Ada's company: six staff; Ben leads Sales, six reps; Cleo leads Support, six agents. Before
November, Support is folded into Sales: Cleo's agents now report to Ben, Cleo stays on Ada's
staff, and Ben hires Jo. Everyone else answers as before.
"""

import pytest

from teams.models import Person
from teams.team_tree import sync_teams
from tests.anonymity.test_across_surveys import Sheet, as_reader, run_survey
from tests.anonymity.test_regions_between_surveys import (
    ENPS_CLASSES,
    enps_sheets,
    nets,
)
from tests.org_builder import BuiltOrg, build_org

pytestmark = pytest.mark.django_db

STAFF_ENPS = (9, 7, 10, 4, 8, 6)
REPS_ENPS = (10, 9, 6, 8, 3, 9)
AGENTS_ENPS = (7, 9, 5, 10, 8, 9)
LEADS_ENPS = {"Ada Lovelace": 9, "Ben Carter": 8, "Cleo Turner": 10}
JOINER_ENPS = 2  # a detractor: what the attack reads


@pytest.fixture
def org() -> BuiltOrg:
    return build_org(
        """
        Ada Lovelace (Company)
          6 staff
          Ben Carter (Sales)
            6 reps
          Cleo Turner (Support)
            6 agents
        """
    )


def october_sheets(org: BuiltOrg) -> dict[Person, Sheet]:
    return enps_sheets(
        org,
        {"Ada Lovelace": STAFF_ENPS, "Ben Carter": REPS_ENPS, "Cleo Turner": AGENTS_ENPS},
        LEADS_ENPS,
    )


def test_a_manager_reads_one_joiner_from_a_merged_team_less_the_two_teams_it_was(
    client, org
) -> None:
    sheets = october_sheets(org)
    october = run_survey(client, "October", sheets)

    ada, ben, cleo = org["Ada Lovelace"], org["Ben Carter"], org["Cleo Turner"]
    Person.objects.filter(manager=cleo).update(manager=ben)
    joiner = Person.objects.create(
        employee_id="joiner", email="joiner@example.com", name="Jo Iner", manager=ben
    )
    sync_teams()
    november = run_survey(client, "November", {**sheets, joiner: Sheet(5, JOINER_ENPS, None)})

    sales_before = as_reader(ada, october, "Sales")
    support_before = as_reader(ada, october, "Support")
    sales_after = as_reader(ada, november, "Sales")
    for read in (sales_before, support_before, sales_after):
        assert read["status"] == "released" and read["enps"] is not None, read
    assert sales_after["respondents"] == (
        sales_before["respondents"] + support_before["respondents"] + 1
    )

    possible = {
        after - sales - support
        for after in nets(sales_after)
        for sales in nets(sales_before)
        for support in nets(support_before)
        if after - sales - support in ENPS_CLASSES
    }
    assert -1 in possible, "the attack is sound"
    # The promise: a joiner is bounded no better than the whole scale.
    assert possible == set(ENPS_CLASSES), (
        f"the joiner is a {' or '.join(ENPS_CLASSES[c] for c in sorted(possible))}, from "
        f"Sales at precision {sales_after['precision']} less Sales and Support before"
    )
