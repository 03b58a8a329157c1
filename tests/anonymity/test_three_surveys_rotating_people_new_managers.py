"""The rotating team of test_three_surveys_rotating_people.py, with a new manager each month:
a new team of the org chart each time, the same people (docs/anonymity.md, "Across surveys":
"a team that got a new manager (a new team of the org chart, the same people)").

Sales is six reps and Quinn under Ben in October; Ben moves on, and Dora leads Quinn and six
agents in November; Dora moves on, and Eve leads the reps and the agents in December. No two
releases are of the same team id, so the combination of all three must be found from the
people alone: October + November - December is twice Quinn, and December is withheld.
"""

import pytest

from teams.models import Person
from teams.team_tree import sync_teams
from tests.anonymity.test_across_surveys import as_reader, run_survey
from tests.anonymity.test_regions_between_surveys import withheld
from tests.anonymity.test_three_surveys_rotating_people import AGENTS, OTHERS, QUINN, REPS, TECHS
from tests.org_builder import BuiltOrg, build_org

pytestmark = pytest.mark.django_db


@pytest.fixture
def org() -> BuiltOrg:
    return build_org(
        """
        Ada Lovelace (Company)
          6 staff
          Ben Carter (Sales)
            6 reps
            Quinn Solo
          Cleo Turner (Support)
            6 agents
            6 techs
        """
    )


def new_manager_of_sales(org: BuiltOrg, leaving: Person, employee_id: str, name: str) -> Person:
    Person.objects.filter(pk=leaving.pk).update(active=False)
    manager = Person.objects.create(
        employee_id=employee_id,
        email=f"{employee_id}@example.com",
        name=name,
        manager=org["Ada Lovelace"],
    )
    Person.objects.filter(manager=leaving).update(manager=manager)
    return manager


def test_the_third_release_is_withheld_though_each_is_of_a_new_team(client, org) -> None:
    ben, cleo, quinn = org["Ben Carter"], org["Cleo Turner"], org["Quinn Solo"]
    reps = [p for p in org.reports_of("Ben Carter") if p.name.startswith("Rep")]
    agents = [p for p in org.reports_of("Cleo Turner") if p.name.startswith("Agent")]
    techs = [p for p in org.reports_of("Cleo Turner") if p.name.startswith("Tech")]
    sheets = {
        **{p: OTHERS for p in org.everyone},
        **dict(zip(reps, REPS, strict=True)),
        **dict(zip(agents, AGENTS, strict=True)),
        **dict(zip(techs, TECHS, strict=True)),
        quinn: QUINN,
    }

    sales_teams = [org.team("Sales").pk]
    october = run_survey(client, "October", sheets)
    dora = new_manager_of_sales(org, ben, "dora", "Dora New")
    Person.objects.filter(pk__in=[p.pk for p in reps]).update(manager=cleo)
    Person.objects.filter(pk__in=[p.pk for p in agents]).update(manager=dora)
    sync_teams(team_names={"dora": "Sales"})
    sales_teams.append(org.team("Sales").pk)
    sheets = {**{p: s for p, s in sheets.items() if p != ben}, dora: OTHERS}
    november = run_survey(client, "November", sheets)
    eve = new_manager_of_sales(org, dora, "eve", "Eve Stone")
    Person.objects.filter(pk__in=[p.pk for p in reps]).update(manager=eve)
    Person.objects.filter(pk=quinn.pk).update(manager=cleo)
    sync_teams(team_names={"eve": "Sales"})
    sales_teams.append(org.team("Sales").pk)
    sheets = {**{p: s for p, s in sheets.items() if p != dora}, eve: OTHERS}
    december = run_survey(client, "December", sheets)

    reads = [
        as_reader(ben, october, "Sales"),
        as_reader(dora, november, "Sales"),
        as_reader(eve, december, "Sales"),
    ]
    assert [read["eligible"] for read in reads] == [7, 7, 12]
    assert len(set(sales_teams)) == 3, "each release is of a new team of the org chart"
    assert [read["precision"] for read in reads[:2]] == [1, 1], "no two surveys give Quinn away"
    assert withheld(reads[2]), "October + November - December is twice Quinn"
