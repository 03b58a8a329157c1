"""seed_demo builds a company someone can click through: Amara runs it, Nadia is in HR, Daniel
runs Engineering and Kenji leads Platform."""

import io

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.test import Client

from teams.demo import DEMO_PASSWORD
from teams.models import Person, Team
from teams.roles import is_hr, led_team
from teams.selectors import eligible_counts
from teams.tree_outline import team_outline

pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, list]:
    return {
        "people": list(
            Person.objects.order_by("pk").values_list("pk", "employee_id", "manager_id", "user_id")
        ),
        "teams": list(Team.objects.order_by("pk").values_list("pk", "name", "parent_id")),
        "users": list(
            User.objects.order_by("pk").values_list("pk", "username", "password", "is_staff")
        ),
        "groups": list(Group.objects.order_by("pk").values_list("pk", "name")),
    }


def test_the_demo_company_has_177_people_in_24_teams_over_three_levels() -> None:
    output = seed()
    outline = team_outline()
    assert Person.objects.count() == 177
    assert Team.objects.count() == 24
    assert {place.depth for place in outline.values()} == {0, 1, 2}
    assert "Company › Engineering › Platform" in {place.path_label for place in outline.values()}
    assert Team.objects.get(parent=None).manager.name == "Amara Okafor"
    assert Team.objects.filter(parent__parent=None, parent__isnull=False).count() == 7
    assert "Demo organisation: 177 people in 24 teams;" in output


def test_the_customer_facing_teams_are_large_enough_to_be_shown_on_their_own() -> None:
    seed()
    counts = eligible_counts()
    regional = Team.objects.filter(parent__name__in=["Customer Support", "Field Sales"])
    assert regional.count() == 11
    assert all(6 <= counts[team.pk] <= 12 for team in regional), {
        team.name: counts[team.pk] for team in regional
    }


def test_some_demo_teams_are_smaller_than_the_minimum_group_size_of_five() -> None:
    seed()
    counts = eligible_counts()
    small = [team.name for team in Team.objects.all() if counts.get(team.pk, 0) < 5]
    assert small
    assert all(counts.get(team.pk, 0) >= 2 for team in Team.objects.all())


def test_everyone_in_the_demo_has_a_realistic_example_com_address() -> None:
    seed()
    emails = list(Person.objects.values_list("email", flat=True))
    assert all(email.endswith("@example.com") for email in emails)
    assert Person.objects.get(name="Lucía Fernández").email == "lucia.fernandez@example.com"


def test_nadia_daniel_and_kenji_log_in_with_the_printed_passwords() -> None:
    output = seed()
    for username in (
        "nadia.petrova@example.com",
        "daniel.novak@example.com",
        "kenji.tanaka@example.com",
    ):
        [line] = [line for line in output.splitlines() if username in line]
        assert f"password: {DEMO_PASSWORD}" in line
        assert Client().login(username=username, password=DEMO_PASSWORD), username
    assert "http://localhost:8000/admin/" in output

    nadia = User.objects.get(username="nadia.petrova@example.com")
    kenji = User.objects.get(username="kenji.tanaka@example.com")
    daniel = User.objects.get(username="daniel.novak@example.com")
    assert nadia.is_staff and is_hr(nadia)
    assert nadia.person.name == "Nadia Petrova"
    assert [team.name for team in (led_team(kenji), led_team(daniel)) if team] == [
        "Platform",
        "Engineering",
    ]
    assert not kenji.is_staff and not is_hr(kenji)


def test_nadia_opens_the_admin_but_kenji_is_sent_to_the_login_page() -> None:
    seed()
    nadia, kenji = Client(), Client()
    nadia.login(username="nadia.petrova@example.com", password=DEMO_PASSWORD)
    kenji.login(username="kenji.tanaka@example.com", password=DEMO_PASSWORD)
    assert nadia.get("/admin/teams/person/").status_code == 200
    assert kenji.get("/admin/").status_code == 302


def test_seeding_twice_changes_nothing_and_prints_the_same_logins() -> None:
    first_output = seed()
    before = snapshot()
    second_output = seed()
    assert snapshot() == before
    assert second_output == first_output


def test_seeding_only_if_empty_leaves_a_real_org_chart_alone() -> None:
    Person.objects.create(employee_id="42", email="ada@example.com", name="Ada Lovelace")
    output = seed("--if-empty")
    assert Person.objects.count() == 1
    assert "no demo data added" in output


def test_seeding_only_if_empty_prints_the_logins_on_every_later_run() -> None:
    seed("--if-empty")
    before = snapshot()
    output = seed("--if-empty")
    assert snapshot() == before
    assert "nadia.petrova@example.com" in output
    assert "Demo organisation" not in output


def test_the_demo_comes_with_a_monthly_and_a_quarterly_cadence_once() -> None:
    from surveys.models import Cadence

    seed()
    seed()
    assert sorted(Cadence.objects.values_list("kind", flat=True)) == ["monthly", "quarterly"]
