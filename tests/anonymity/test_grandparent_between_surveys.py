"""A company less a team two levels down, in two surveys (docs/anonymity.md, "Across surveys").

Across surveys a release is compared region by region: a unit less the published units right
below it. A company less a team below its department is no region when the department is
published between them, so it is never compared, yet both releases give it by subtraction.
When the team grows by seven and the department's own people by one, every group and every
region the rule compares changed by at least k or by none, in people and in each figure's
count (seven, so that Support's count now equals Operations' before), except the
department's region, so the department alone is shown coarser; the company and the team,
which the attack uses, are shown in whole points, and the company less the team differs by
the one joiner.

Ada's company: six staff; Dan leads Operations, six people; Cleo leads Support inside
Operations, six agents. Before November, seven agents join Support and Jo joins Dan's own
people. Everyone else answers as before.
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
OPERATIONS_ENPS = (10, 9, 6, 8, 3, 9)
AGENTS_ENPS = (7, 9, 5, 10, 8, 9)
NEW_AGENTS_ENPS = (9, 10, 4, 8, 9, 7, 10)
LEADS_ENPS = {"Ada Lovelace": 9, "Dan Brooks": 8, "Cleo Turner": 10}
JOINER_ENPS = 2  # a detractor: what the attack reads


@pytest.fixture
def org() -> BuiltOrg:
    return build_org(
        """
        Ada Lovelace (Company)
          6 staff
          Dan Brooks (Operations)
            6 operators
            Cleo Turner (Support)
              6 agents
        """
    )


def october_sheets(org: BuiltOrg) -> dict[Person, Sheet]:
    return enps_sheets(
        org,
        {"Ada Lovelace": STAFF_ENPS, "Dan Brooks": OPERATIONS_ENPS, "Cleo Turner": AGENTS_ENPS},
        LEADS_ENPS,
    )


def test_a_manager_reads_one_joiner_from_the_company_less_a_team_below_its_department(
    client, org
) -> None:
    sheets = october_sheets(org)
    october = run_survey(client, "October", sheets)

    ada, dan, cleo = org["Ada Lovelace"], org["Dan Brooks"], org["Cleo Turner"]
    new_agents = {
        Person.objects.create(
            employee_id=f"agent-new{i}",
            email=f"agent-new{i}@example.com",
            name=f"New Agent {i}",
            manager=cleo,
        ): Sheet(5, enps, None)
        for i, enps in enumerate(NEW_AGENTS_ENPS)
    }
    joiner = Person.objects.create(
        employee_id="joiner", email="joiner@example.com", name="Jo Iner", manager=dan
    )
    sync_teams()
    november = run_survey(
        client, "November", {**sheets, **new_agents, joiner: Sheet(5, JOINER_ENPS, None)}
    )

    reads = {
        (month, team): as_reader(ada, survey, team)
        for month, survey in (("october", october), ("november", november))
        for team in ("Company", "Support")
    }
    for read in reads.values():
        assert read["status"] == "released" and read["enps"] is not None, read

    def company_less_support(month: str) -> set[int]:
        return {
            whole - part
            for whole in nets(reads[(month, "Company")])
            for part in nets(reads[(month, "Support")])
        }

    possible = {
        after - before
        for before in company_less_support("october")
        for after in company_less_support("november")
        if after - before in ENPS_CLASSES
    }
    assert -1 in possible, "the attack is sound"
    # The promise: a joiner is bounded no better than the whole scale.
    assert possible == set(ENPS_CLASSES), (
        f"the joiner is a {' or '.join(ENPS_CLASSES[c] for c in sorted(possible))}, at "
        f"precision {reads[('november', 'Company')]['precision']} and "
        f"{reads[('november', 'Support')]['precision']}"
    )
