"""make_hr gives Harriet, who is in the org chart, an HR admin login, under her own address or
another; Bob the outside auditor gets one too, and says he is nobody in the org chart, or reads
no result of the surveys that close while his login names nobody."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client

from teams.hr_identity import is_outside_org_chart, link_hr_logins_by_email, names_nobody
from teams.models import AuditAction, AuditEvent, Person
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
    assert "it will not read the results of a survey that closes while it does" in output
    bob = User.objects.get(username="bob@example.com")
    assert is_hr(bob) and names_nobody(bob)
    harriet.refresh_from_db()
    assert harriet.user is None

    output = make_hr("bob@example.com", "--outside-org-chart")
    assert "Updated HR admin bob@example.com, outside the org chart." in output
    assert "names nobody" not in output
    assert not names_nobody(bob)
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_OUTSIDE_ORG_CHART)
    assert (event.subject, event.actor_name) == ("bob@example.com", "command line")
    make_hr("bob@example.com", "--outside-org-chart")
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_OUTSIDE_ORG_CHART).count() == 1

    # Bob is hired: linked to his record, the statement no longer counts.
    Person.objects.create(employee_id="8", email="bob.b@example.com", name="Bob Brown")
    assert "linked to Bob Brown" in make_hr("bob@example.com", "--person", "8")
    assert not is_outside_org_chart(bob)
    Person.objects.filter(employee_id="8").update(active=False)
    assert names_nobody(bob), "a login whose person left names nobody"


def test_harriet_links_an_hr_desk_login_to_herself_by_her_employee_id(harriet: Person) -> None:
    output = make_hr("hr-desk-7@example.net", "--person", "7", "--password", PASSWORD)
    assert "Created HR admin hr-desk-7@example.net, linked to Harriet Tubman." in output
    harriet.refresh_from_db()
    assert harriet.user is not None and harriet.user.username == "hr-desk-7@example.net"
    assert not names_nobody(harriet.user)
    # By her email too; and the login stays hers when make_hr runs again without --person.
    assert "linked to Harriet Tubman" in make_hr("hr-desk-7@example.net", "--person", harriet.email)
    assert "linked to Harriet Tubman" in make_hr("hr-desk-7@example.net")


def test_make_hr_refuses_a_person_it_cannot_link(harriet: Person) -> None:
    with pytest.raises(
        CommandError, match="Nobody in the org chart has the employee id or email '8'"
    ):
        make_hr("hr-desk-8@example.net", "--person", "8")
    # Harriet is in the org chart: her login cannot be said to be nobody, and is not made.
    with pytest.raises(CommandError, match=r"is Harriet Tubman \(7\) in the org chart"):
        make_hr("harriet.tubman@example.com", "--outside-org-chart")
    assert not User.objects.exists() and not AuditEvent.objects.exists()
    make_hr("harriet.tubman@example.com")
    with pytest.raises(CommandError, match=r"already logs in as harriet.tubman@example.com"):
        make_hr("hr-desk-7@example.net", "--person", "7")
    assert list(User.objects.values_list("username", flat=True)) == ["harriet.tubman@example.com"]


def test_make_hr_refuses_a_weak_password_and_a_non_address(harriet: Person) -> None:
    with pytest.raises(CommandError, match=r"too common|too short"):
        make_hr("harriet.tubman@example.com", "--password", "password")
    with pytest.raises(CommandError, match="not an email address"):
        make_hr("harriet", "--password", PASSWORD)
    assert not User.objects.exists()


def test_an_address_two_people_share_in_two_cases_links_nobody(harriet: Person) -> None:
    Person.objects.create(employee_id="9", email="HARRIET.TUBMAN@example.com", name="Decoy")
    make_hr("harriet.tubman@example.com")
    login = User.objects.get(username="harriet.tubman@example.com")
    link_hr_logins_by_email()  # as a survey does when it opens: no error, and no guess
    assert not Person.objects.filter(user=login).exists()
    assert names_nobody(login)
