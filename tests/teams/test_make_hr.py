"""make_hr gives Harriet, who is in the org chart, an HR admin login; Bob the outside auditor
gets one too, linked to nobody."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client

from teams.models import Person
from teams.roles import is_hr

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"


def make_hr(*args: str) -> str:
    out = io.StringIO()
    call_command("make_hr", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def harriet() -> Person:
    return Person.objects.create(
        employee_id="7", email="Harriet.Tubman@example.com", name="Harriet Tubman"
    )


def test_make_hr_creates_a_staff_hr_login_linked_to_harriet(harriet: Person) -> None:
    output = make_hr("harriet.tubman@example.com", "--password", PASSWORD)
    user = User.objects.get(username="harriet.tubman@example.com")
    harriet.refresh_from_db()
    assert harriet.user == user
    assert user.is_staff and not user.is_superuser
    assert is_hr(user)
    assert user.first_name == "Harriet"
    assert "Created HR admin harriet.tubman@example.com, linked to Harriet Tubman" in output

    client = Client()
    assert client.login(username="harriet.tubman@example.com", password=PASSWORD)
    assert client.get("/admin/teams/person/").status_code == 200


def test_running_make_hr_again_updates_the_same_login_and_keeps_the_password(
    harriet: Person,
) -> None:
    make_hr("harriet.tubman@example.com", "--password", PASSWORD)
    output = make_hr("HARRIET.TUBMAN@example.com")
    assert User.objects.count() == 1
    assert "Updated HR admin" in output
    assert Client().login(username="harriet.tubman@example.com", password=PASSWORD)


def test_make_hr_without_a_password_says_how_to_set_one(harriet: Person) -> None:
    output = make_hr("harriet.tubman@example.com")
    assert not User.objects.get().has_usable_password()
    assert "--password" in output


def test_bob_who_is_not_in_the_org_chart_still_gets_an_hr_login(harriet: Person) -> None:
    output = make_hr("bob@example.com", "--password", PASSWORD)
    assert "not linked to a person" in output
    assert is_hr(User.objects.get(username="bob@example.com"))
    harriet.refresh_from_db()
    assert harriet.user is None


def test_make_hr_refuses_a_weak_password_and_a_non_address(harriet: Person) -> None:
    with pytest.raises(CommandError, match=r"too common|too short"):
        make_hr("harriet.tubman@example.com", "--password", "password")
    with pytest.raises(CommandError, match="not an email address"):
        make_hr("harriet", "--password", PASSWORD)
    assert not User.objects.exists()
