"""The team tree follows reporting lines: Ada leads the company, Grace and Linus report to her."""

import pytest

from teams.models import Person, Team
from teams.selectors import eligible_counts, member_team_ids, subtree_team_ids, team_members
from teams.team_tree import sync_teams
from tests.org_builder import build_org

pytestmark = pytest.mark.django_db


def person(employee_id: str, name: str, manager: Person | None = None) -> Person:
    return Person.objects.create(
        employee_id=employee_id, email=f"{employee_id}@example.com", name=name, manager=manager
    )


@pytest.fixture
def company() -> dict[str, Person]:
    org = build_org(
        """
        Ada (Company)
          Grace (Platform)
            3 engineers
          Linus
        """
    )
    return {"ada": org["Ada"], "grace": org["Grace"], "linus": org["Linus"]}


def test_a_person_with_reports_leads_a_team_whose_parent_is_their_managers_team(company) -> None:
    root = Team.objects.get(manager=company["ada"])
    platform = Team.objects.get(manager=company["grace"])
    assert (root.name, root.parent) == ("Company", None)
    assert (platform.name, platform.parent) == ("Platform", root)
    assert not Team.objects.filter(manager=company["linus"]).exists()


def test_managers_belong_to_their_managers_team_and_the_top_person_to_the_root(company) -> None:
    root = Team.objects.get(manager=company["ada"])
    platform = Team.objects.get(manager=company["grace"])
    assert {p.name for p in team_members(root)} == {"Ada", "Grace", "Linus"}
    assert {p.name for p in team_members(platform)} == {"Engineer 1", "Engineer 2", "Engineer 3"}
    assert eligible_counts() == {root.id: 3, platform.id: 3}
    assert member_team_ids()[company["grace"].id] == root.id


def test_a_team_disappears_when_its_leader_has_no_active_reports_left(company) -> None:
    Person.objects.filter(manager=company["grace"]).update(active=False)
    sync_teams()
    assert not Team.objects.filter(manager=company["grace"]).exists()
    assert Team.objects.get(manager=company["ada"]).name == "Company"


def test_a_new_report_makes_a_new_team_under_the_right_parent(company) -> None:
    person("4", "Margaret", company["linus"])
    sync_teams()
    team = Team.objects.get(manager=company["linus"])
    assert team.name == "Linus's team"
    assert team.parent == Team.objects.get(manager=company["ada"])
    assert subtree_team_ids(team.parent.id)[0] == team.parent.id
    assert set(subtree_team_ids(team.parent.id)) == set(Team.objects.values_list("id", flat=True))
