"""A team split in two, read against its earlier release (docs/anonymity.md, "Across surveys").

Each release is compared with every earlier published group or region that overlaps it, one
against one. When a team is split in two, each half is compared with the earlier team on its
own and differs from it by the other half; the two halves together are never compared with
it. When the halves are the earlier team and one joiner, their figures added up less the
earlier figure are the joiner's answer, and every comparison the rule makes saw at least k
people change.

Ada's company: six staff; Ben leads Sales, twelve reps. Before November, Cleo joins Ada's
staff and takes over six of Ben's reps as Support, and hires Jo. Everyone else answers as
before.
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
REPS_ENPS = (10, 9, 6, 8, 3, 9, 7, 9, 5, 10, 8, 9)
LEADS_ENPS = {"Ada Lovelace": 9, "Ben Carter": 8}
JOINER_ENPS = 2  # a detractor: what the attack reads


@pytest.fixture
def org() -> BuiltOrg:
    return build_org(
        """
        Ada Lovelace (Company)
          6 staff
          Ben Carter (Sales)
            12 reps
        """
    )


def october_sheets(org: BuiltOrg) -> dict[Person, Sheet]:
    return enps_sheets(org, {"Ada Lovelace": STAFF_ENPS, "Ben Carter": REPS_ENPS}, LEADS_ENPS)


def test_a_manager_reads_one_joiner_from_two_halves_of_a_team_less_the_team_they_were(
    client, org
) -> None:
    sheets = october_sheets(org)
    october = run_survey(client, "October", sheets)

    ada = org["Ada Lovelace"]
    cleo = Person.objects.create(
        employee_id="cleo", email="cleo@example.com", name="Cleo Turner", manager=ada
    )
    Person.objects.filter(pk__in=[p.pk for p in org.reports_of("Ben Carter")[6:]]).update(
        manager=cleo
    )
    joiner = Person.objects.create(
        employee_id="joiner", email="joiner@example.com", name="Jo Iner", manager=cleo
    )
    sync_teams(team_names={"cleo": "Support"})
    november = run_survey(
        client,
        "November",
        {**sheets, cleo: Sheet(5, 8, None), joiner: Sheet(5, JOINER_ENPS, None)},
    )

    sales_before = as_reader(ada, october, "Sales")
    sales_after = as_reader(ada, november, "Sales")
    support_after = as_reader(ada, november, "Support")
    for read in (sales_before, sales_after, support_after):
        assert read["status"] == "released" and read["enps"] is not None, read
    assert (
        sales_after["respondents"] + support_after["respondents"] == sales_before["respondents"] + 1
    )

    possible = {
        sales + support - before
        for sales in nets(sales_after)
        for support in nets(support_after)
        for before in nets(sales_before)
        if sales + support - before in ENPS_CLASSES
    }
    assert -1 in possible, "the attack is sound"
    # The promise: a joiner is bounded no better than the whole scale.
    assert possible == set(ENPS_CLASSES), (
        f"the joiner is a {' or '.join(ENPS_CLASSES[c] for c in sorted(possible))}, from "
        f"Sales and Support at precision {sales_after['precision']} and "
        f"{support_after['precision']} less Sales before"
    )
