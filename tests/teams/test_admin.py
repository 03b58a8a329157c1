"""HR runs the org chart from the admin.

Ada leads the company; Grace leads Platform and Linus leads Search, both reporting to Ada. Harriet
is the HR admin; Edsger is an engineer with a login but no business in the admin.
"""

import io
import re

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from teams.accounts import ensure_login
from teams.models import Person, Team
from teams.team_tree import sync_teams

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"


def person(employee_id: str, name: str, manager: Person | None = None) -> Person:
    return Person.objects.create(
        employee_id=employee_id,
        email=f"{name.split()[0].lower()}{employee_id}@example.com",
        name=name,
        manager=manager,
    )


@pytest.fixture
def company() -> dict[str, Person]:
    ada = person("1", "Ada Lovelace")
    grace = person("2", "Grace Hopper", ada)
    linus = person("3", "Linus Torvalds", ada)
    harriet = person("4", "Harriet Tubman", ada)
    people = {"ada": ada, "grace": grace, "linus": linus, "harriet": harriet}
    for index in range(3):
        people[f"platform{index}"] = person(f"p{index}", f"Platform Engineer {index}", grace)
        people[f"search{index}"] = person(f"s{index}", f"Search Engineer {index}", linus)
    people["edsger"] = person("5", "Edsger Dijkstra", grace)
    sync_teams(team_names={"1": "Company", "2": "Platform", "3": "Search"})
    return people


@pytest.fixture
def harriet(company: dict[str, Person]) -> Client:
    """A client logged in as Harriet, the HR admin."""
    ensure_login(email=company["harriet"].email, password=PASSWORD, hr=True)
    client = Client()
    assert client.login(username=company["harriet"].email, password=PASSWORD)
    return client


def person_form(who: Person, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": who.name,
        "email": who.email,
        "employee_id": who.employee_id,
        "active": "on" if who.active else "",
        "manager": who.manager_id or "",
        "_save": "Save",
    }
    data.update(changes)
    return data


def test_harriet_opens_the_people_and_team_lists(harriet: Client) -> None:
    people_page = harriet.get("/admin/teams/person/")
    teams_page = harriet.get("/admin/teams/team/")
    assert people_page.status_code == 200
    assert teams_page.status_code == 200
    assert "Pulse administration" in people_page.text
    assert "Grace Hopper" in people_page.text
    assert "Platform" in teams_page.text


def test_the_team_list_reads_top_down_with_each_teams_full_path(harriet: Client) -> None:
    page = harriet.get("/admin/teams/team/").text
    assert "Company › Platform" in page
    assert "Company › Search" in page
    assert page.index("Company › Platform") < page.index("Company › Search")
    assert 'padding-left: 1.5em">↳ Platform' in page
    assert 'padding-left: 0em">Company' in page


def test_the_team_list_counts_eligible_members_of_each_team(harriet: Client) -> None:
    page = harriet.get("/admin/teams/team/").text
    rows = re.findall(
        r'<td class="field-path">(.*?)</td>.*?<td class="field-eligible_member_count">(\d+)</td>',
        page,
        flags=re.DOTALL,
    )
    # Company: Ada herself and her three reports. Platform: three engineers and Edsger.
    assert rows == [("Company", "4"), ("Company › Platform", "4"), ("Company › Search", "3")]


def test_the_people_list_shows_each_persons_manager_and_team(harriet: Client) -> None:
    page = harriet.get("/admin/teams/person/?q=Edsger").text
    assert "Edsger Dijkstra" in page
    assert '<td class="field-manager nowrap">Grace Hopper (2)</td>' in page
    assert '<td class="field-member_of_team">Platform</td>' in page


def test_harriet_finds_people_by_email_and_filters_the_managers(harriet: Client) -> None:
    found = harriet.get("/admin/teams/person/?q=linus3@example.com").text
    managers = harriet.get("/admin/teams/person/?is_manager=yes").text
    assert "Linus Torvalds" in found
    assert "Grace Hopper" not in found
    assert "3 people" in managers
    assert all(name in managers for name in ("Ada Lovelace", "Grace Hopper", "Linus Torvalds"))
    assert "Edsger Dijkstra" not in managers


def test_moving_grace_under_linus_moves_platform_under_search(
    harriet: Client, company: dict[str, Person]
) -> None:
    grace, linus = company["grace"], company["linus"]
    response = harriet.post(
        f"/admin/teams/person/{grace.pk}/change/", person_form(grace, manager=linus.pk)
    )
    assert response.status_code == 302
    platform = Team.objects.get(name="Platform")
    assert platform.parent == Team.objects.get(name="Search")
    page = harriet.get("/admin/teams/team/").text
    assert "Company › Search › Platform" in page


def test_giving_edsger_a_report_in_the_admin_makes_him_a_team(
    harriet: Client, company: dict[str, Person]
) -> None:
    response = harriet.post(
        "/admin/teams/person/add/",
        {
            "name": "Barbara Liskov",
            "email": "barbara@example.com",
            "employee_id": "6",
            "active": "on",
            "manager": company["edsger"].pk,
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    team = Team.objects.get(manager=company["edsger"])
    assert team.parent == Team.objects.get(name="Platform")


def test_deleting_linus_in_the_admin_removes_his_team(
    harriet: Client, company: dict[str, Person]
) -> None:
    linus = company["linus"]
    response = harriet.post(f"/admin/teams/person/{linus.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Team.objects.filter(name="Search").exists()
    assert set(Team.objects.values_list("name", flat=True)) == {"Company", "Platform"}


def test_ada_cannot_be_made_to_report_to_grace_who_reports_to_her(
    harriet: Client, company: dict[str, Person]
) -> None:
    ada, grace = company["ada"], company["grace"]
    response = harriet.post(
        f"/admin/teams/person/{ada.pk}/change/", person_form(ada, manager=grace.pk)
    )
    assert response.status_code == 200
    assert "cannot go round in a circle" in response.text
    ada.refresh_from_db()
    assert ada.manager is None


def test_harriet_renames_a_team_but_its_place_follows_reporting_lines(
    harriet: Client, company: dict[str, Person]
) -> None:
    platform = Team.objects.get(name="Platform")
    change_page = harriet.get(f"/admin/teams/team/{platform.pk}/change/")
    assert change_page.status_code == 200
    assert 'name="parent"' not in change_page.text
    assert 'name="manager"' not in change_page.text
    assert "Edsger Dijkstra" in change_page.text

    response = harriet.post(
        f"/admin/teams/team/{platform.pk}/change/", {"name": "Core Platform", "_save": "Save"}
    )
    assert response.status_code == 302
    platform.refresh_from_db()
    assert platform.name == "Core Platform"
    assert platform.parent == Team.objects.get(name="Company")
    assert harriet.get("/admin/teams/team/add/").status_code == 403


def test_the_team_and_people_lists_cost_the_same_queries_for_a_bigger_org(
    harriet: Client,
) -> None:
    def queries_for(path: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert harriet.get(path).status_code == 200
        return len(queries)

    small = (queries_for("/admin/teams/team/"), queries_for("/admin/teams/person/"))
    call_command("seed_demo", stdout=io.StringIO())
    assert Team.objects.count() > 10
    big = (queries_for("/admin/teams/team/"), queries_for("/admin/teams/person/"))
    assert big == small


def test_edsger_without_staff_is_sent_to_the_login_page(company: dict[str, Person]) -> None:
    User.objects.create_user(username="edsger@example.com", password=PASSWORD)
    client = Client()
    assert client.login(username="edsger@example.com", password=PASSWORD)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_harriet_sees_graces_login_as_text_and_a_superuser_can_pick_one(
    harriet: Client, company: dict[str, Person]
) -> None:
    grace = company["grace"]
    ensure_login(email=grace.email, password=PASSWORD)
    page = harriet.get(f"/admin/teams/person/{grace.pk}/change/").text
    assert grace.email in page
    assert 'name="user"' not in page

    User.objects.create_superuser(username="root", password=PASSWORD)
    superuser = Client()
    assert superuser.login(username="root", password=PASSWORD)
    assert 'name="user"' in superuser.get(f"/admin/teams/person/{grace.pk}/change/").text
