"""HR deletes people who have left (docs/anonymity.md, "Across surveys"; teams.erasure).

Ada runs the company with five staff, Harriet (HR) among them; Linus leads Search: Leo and
five engineers. Linus has a login, was invited to log in and has used it. October's survey is answered and
released; then Linus leaves and HR deletes him in the admin. His invitation to October must
outlive him, counted as invited, while nothing in the database names him any more. Nora
joined after October and was never invited: deleting her deletes her.
"""

import pytest
from django.contrib.auth.models import User
from django.db.models import ProtectedError
from django.test import Client

from pulse.scheduler import run_pulse_tick
from surveys.closing import close_cycle
from surveys.models import CycleTeam, Invitation
from surveys.scheduler import run_tick
from teams.accounts import ensure_login
from teams.audit import record_event
from teams.erasure import ERASED_NAME
from teams.models import AuditAction, Person, Team
from teams.org_csv import parse_csv
from teams.org_problems import OrgFileInvalid
from teams.services import delete_people, import_org
from teams.team_tree import sync_teams
from tests.anonymity.insider import take_dump
from tests.focus_setup import launch_survey

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"
LINUS = {"name": "Linus Torvalds", "email": "linus.t@example.com", "employee_id": "EMP-7731"}


def person(employee_id: str, name: str, manager: Person | None = None, **fields: str) -> Person:
    return Person.objects.create(
        employee_id=employee_id,
        email=fields.get("email", f"{employee_id.lower()}@example.com"),
        name=name,
        manager=manager,
    )


@pytest.fixture
def company() -> dict[str, Person]:
    ada = person("ada", "Ada Lovelace")
    people = {"ada": ada, "harriet": person("harriet", "Harriet Tubman", ada)}
    for index in range(4):
        people[f"staff{index}"] = person(f"staff{index}", f"Staff {index}", ada)
    linus = person(LINUS["employee_id"], LINUS["name"], ada, email=LINUS["email"])
    people["linus"] = linus
    people["leo"] = person("leo", "Leo Gone", linus)
    for index in range(5):
        people[f"engineer{index}"] = person(f"eng{index}", f"Engineer {index}", linus)
    sync_teams(team_names={"ada": "Company", LINUS["employee_id"]: "Search"})
    return people


@pytest.fixture
def october(company: dict[str, Person]) -> int:
    """October's survey, everyone invited, closed and released; Linus has a login by then."""
    ensure_login(email=LINUS["email"], password=PASSWORD)
    linus_login = User.objects.get(username=LINUS["email"])
    record_event(actor=None, action=AuditAction.LOGIN_INVITED, subject=str(company["linus"]))
    record_event(actor=linus_login, action=AuditAction.CADENCE_CREATED, subject="Search pulse")
    survey = launch_survey("October")
    close_cycle(cycle_id=survey.cycle.pk)
    run_pulse_tick()
    return survey.cycle.pk


@pytest.fixture
def harriet(company: dict[str, Person]) -> Client:
    ensure_login(email=company["harriet"].email, password=PASSWORD, hr=True)
    client = Client()
    assert client.login(username=company["harriet"].email, password=PASSWORD)
    return client


def delete_in_the_admin(harriet: Client, who: Person) -> None:
    confirm = harriet.get(f"/admin/teams/person/{who.pk}/delete/")
    assert confirm.status_code == 200 and "Are you sure" in confirm.text, confirm.text
    response = harriet.post(f"/admin/teams/person/{who.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302


def every_text_in_the_database() -> str:
    return "\n".join(
        str(value)
        for rows in take_dump().tables.values()
        for row in rows
        for value in row.values.values()
    )


def test_deleting_linus_leaves_his_name_and_email_nowhere_and_his_invitation_in_place(
    harriet: Client, company: dict[str, Person], october: int
) -> None:
    linus = company["linus"]
    invited = Invitation.objects.filter(cycle_id=october).count()
    text = every_text_in_the_database()
    assert all(value in text for value in (*LINUS.values(), "Torvalds")), "the test is sound"

    delete_in_the_admin(harriet, linus)
    run_tick()  # the surveys' pass forgets him in October's snapshot too

    found = {
        (table, column)
        for table, rows in take_dump().tables.items()
        for row in rows
        for column, value in row.values.items()
        for said in (*LINUS.values(), "Torvalds")
        if said in str(value)
    }
    assert found == set()
    assert Invitation.objects.filter(cycle_id=october).count() == invited
    assert Invitation.objects.filter(cycle_id=october, person_id=linus.pk).exists()
    erased = Person.objects.get(pk=linus.pk)
    assert (erased.name, erased.active, erased.user) == (ERASED_NAME, False, None)
    assert erased.erased_at is not None
    assert not User.objects.filter(username=LINUS["email"]).exists()
    assert CycleTeam.objects.get(cycle_id=october, name="Search").manager_name == ERASED_NAME


def test_an_erased_leader_is_gone_from_the_admin_and_the_tree_and_his_reports_re_derived(
    harriet: Client, company: dict[str, Person], october: int
) -> None:
    linus = company["linus"]
    delete_in_the_admin(harriet, linus)

    listing = harriet.get("/admin/teams/person/")
    assert listing.status_code == 200
    assert ERASED_NAME not in listing.text and "Leo Gone" in listing.text
    assert ERASED_NAME not in harriet.get("/admin/teams/person/?q=erased").text
    assert harriet.get(f"/admin/teams/person/{linus.pk}/change/").status_code == 302
    # As deleting him did: Search goes, and his reports have no manager until HR gives one.
    assert set(Team.objects.values_list("name", flat=True)) == {"Company"}
    assert not Person.objects.filter(manager_id=linus.pk).exists()
    assert Person.objects.get(pk=company["leo"].pk).manager is None
    teams_page = harriet.get("/admin/teams/team/")
    assert "Search</span>" not in teams_page.text and ERASED_NAME not in teams_page.text


def test_deleting_an_invited_person_any_other_way_is_refused(
    company: dict[str, Person], october: int
) -> None:
    with pytest.raises(ProtectedError):
        Person.objects.filter(pk=company["leo"].pk).delete()


def test_nora_who_was_never_invited_is_deleted_for_real(
    harriet: Client, company: dict[str, Person], october: int
) -> None:
    nora = person("nora", "Nora Newcomer", company["ada"])
    delete_in_the_admin(harriet, nora)
    assert not Person.objects.filter(pk=nora.pk).exists()
    assert delete_people(people=Person.objects.filter(pk=company["leo"].pk)) == 1
    assert Person.objects.filter(pk=company["leo"].pk, erased_at__isnull=False).exists()


def test_deleting_several_from_the_people_list_erases_the_invited_and_deletes_the_rest(
    harriet: Client, company: dict[str, Person], october: int
) -> None:
    nora = person("nora", "Nora Newcomer", company["ada"])
    chosen = [company["leo"].pk, company["engineer0"].pk, nora.pk]
    selection = {"action": "delete_selected", "_selected_action": chosen}
    confirm = harriet.post("/admin/teams/person/", selection)
    assert confirm.status_code == 200 and "Are you sure" in confirm.text, confirm.text
    response = harriet.post("/admin/teams/person/", {**selection, "post": "yes"})
    assert response.status_code == 302
    assert set(Person.objects.filter(pk__in=chosen).values_list("pk", "name")) == {
        (company["leo"].pk, ERASED_NAME),
        (company["engineer0"].pk, ERASED_NAME),
    }
    assert Invitation.objects.filter(person_id__in=chosen).count() == 2


def test_the_org_import_neither_matches_nor_revives_an_erased_person(
    company: dict[str, Person], october: int
) -> None:
    linus = company["linus"]
    delete_people(people=Person.objects.filter(pk=linus.pk))
    lines = ["employee_id,email,name,manager_id"] + [
        f"{p.employee_id},{p.email},{p.name},{'' if p.pk == company['ada'].pk else 'ada'}"
        for p in Person.objects.filter(erased_at__isnull=True)
    ]
    back = f"{LINUS['employee_id']},{LINUS['email']},{LINUS['name']},ada"
    summary = import_org(rows=parse_csv("\n".join([*lines, back]).encode()))
    assert summary.created == 1
    rejoined = Person.objects.get(employee_id=LINUS["employee_id"])
    assert rejoined.pk != linus.pk and rejoined.erased_at is None
    still_erased = Person.objects.get(pk=linus.pk)
    assert (still_erased.name, still_erased.active) == (ERASED_NAME, False)
    assert not Invitation.objects.filter(person=rejoined).exists()

    # Nor can a file name the tombstone by the employee id and address it was given.
    forged = f"{still_erased.employee_id},{still_erased.email},Someone,ada"
    with pytest.raises(OrgFileInvalid) as refused:
        parse_csv("\n".join([*lines, forged]).encode())
    assert {error.column for error in refused.value.errors} == {"employee_id", "email"}
