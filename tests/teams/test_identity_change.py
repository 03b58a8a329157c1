"""A new name, email or employee id on a person's row is another person (teams.identity_change;
docs/anonymity.md, "A change of identity is another person").

Ada runs the company with Harriet (HR) and four staff; Linus leads Search: Leo and five
engineers. Linus has a login. October's survey is answered and released. Then Linus leaves and
Tom takes his seat: HR types Tom over Linus in the admin, or the HR system, which keys seats,
sends an org file with Tom under Linus's employee id. Either way Linus leaves as a deleted
person does (erased, his invitation to October kept) and Tom joins as a new row, leading Search.
"""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from pulse.scheduler import run_pulse_tick
from surveys.closing import close_cycle
from surveys.models import CycleReader, CycleTeam, Invitation
from surveys.scheduler import run_tick
from teams.accounts import ensure_login
from teams.erasure import ERASED_NAME
from teams.identity_change import is_another_person
from teams.models import OrgImportJob, Person, Team
from teams.org_csv import OrgRow
from teams.org_jobs import summary_record
from teams.services import import_org, save_person
from teams.team_tree import sync_teams
from tests.focus_setup import launch_survey

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"
LINUS_ID = "EMP-7731"
TOM = {"name": "Tom Newman", "email": "tom.newman@example.com"}


def person(employee_id: str, name: str, manager: Person | None = None) -> Person:
    return Person.objects.create(
        employee_id=employee_id,
        email=f"{employee_id.lower()}@example.com",
        name=name,
        manager=manager,
    )


@pytest.fixture
def company() -> dict[str, Person]:
    ada = person("ada", "Ada Lovelace")
    people = {"ada": ada, "harriet": person("harriet", "Harriet Tubman", ada)}
    for index in range(4):
        people[f"staff{index}"] = person(f"staff{index}", f"Staff {index}", ada)
    linus = person(LINUS_ID, "Linus Torvalds", ada)
    people["linus"] = linus
    people["leo"] = person("leo", "Leo Stays", linus)
    for index in range(5):
        people[f"engineer{index}"] = person(f"eng{index}", f"Engineer {index}", linus)
    sync_teams(team_names={"ada": "Company", LINUS_ID: "Search"})
    return people


@pytest.fixture
def october(company: dict[str, Person]) -> int:
    """October's survey, everyone invited, closed while Harriet was HR, and released; Linus
    has a login by then."""
    ensure_login(email=company["linus"].email, password=PASSWORD)
    ensure_login(email=company["harriet"].email, password=PASSWORD, hr=True)
    survey = launch_survey("October")
    close_cycle(cycle_id=survey.cycle.pk)
    run_pulse_tick()
    return survey.cycle.pk


@pytest.fixture
def harriet(october: int, company: dict[str, Person]) -> Client:
    client = Client()
    assert client.login(username=company["harriet"].email, password=PASSWORD)
    return client


def chart_rows(**seat: dict[str, str]) -> list[OrgRow]:
    """The org chart as an org file lists it today; `seat` gives an employee id other details
    (the HR system's view of who sits there)."""
    people = Person.objects.on_chart().select_related("manager").order_by("pk")
    return [
        OrgRow(
            line=line,
            employee_id=p.employee_id,
            email=seat.get(p.employee_id, {}).get("email", p.email),
            name=seat.get(p.employee_id, {}).get("name", p.name),
            manager_id=p.manager.employee_id if p.manager else "",
            team="",
        )
        for line, p in enumerate(people, start=2)
    ]


def tom_in_linus_seat() -> list[OrgRow]:
    return chart_rows(**{LINUS_ID: TOM})


def assert_linus_left_and_tom_joined(
    company: dict[str, Person], october: int, search_id: int
) -> Person:
    linus = company["linus"]
    search = Team.objects.get(name="Search")
    tom = Person.objects.get(email=TOM["email"])
    left = Person.objects.get(pk=linus.pk)
    # Linus left as a deleted person does: erased, his invitation to October kept.
    assert tom.pk != linus.pk
    assert (left.name, left.active, left.user, left.manager) == (ERASED_NAME, False, None, None)
    assert left.erased_at is not None
    assert Invitation.objects.filter(cycle_id=october, person_id=linus.pk).exists()
    assert not Invitation.objects.filter(person=tom).exists()
    assert not User.objects.filter(username=linus.email).exists()
    # Tom took the seat: the same Search, his reports, Linus's manager.
    assert search.manager_id == tom.pk and search.pk == search_id
    assert set(Person.objects.filter(manager=tom).values_list("name", flat=True)) == {
        "Leo Stays",
        *(f"Engineer {index}" for index in range(5)),
    }
    assert (tom.name, tom.manager_id, tom.active, tom.user) == (
        TOM["name"],
        company["ada"].pk,
        True,
        None,
    )
    # October's snapshot still knows who led Search then, and from the next pass names nobody.
    run_tick()
    october_search = CycleTeam.objects.get(cycle_id=october, name="Search")
    assert (october_search.manager_id, october_search.manager_name) == (linus.pk, ERASED_NAME)
    return tom


def test_hr_typing_tom_over_linus_in_the_admin_makes_linus_leave_and_tom_join(
    harriet: Client, company: dict[str, Person], october: int
) -> None:
    linus = company["linus"]
    search_id = Team.objects.get(name="Search").pk
    response = harriet.post(
        f"/admin/teams/person/{linus.pk}/change/",
        {
            "name": TOM["name"],
            "email": TOM["email"],
            "employee_id": "EMP-9001",
            "active": "on",
            "manager": company["ada"].pk,
            "_continue": "Save and continue editing",
        },
        follow=True,
    )
    assert response.status_code == 200, response.content
    tom = assert_linus_left_and_tom_joined(company, october, search_id)
    # The admin goes on with Tom's row, and says what happened.
    assert response.redirect_chain[-1][0] == f"/admin/teams/person/{tom.pk}/change/"
    assert (
        "Linus Torvalds left; Tom Newman joined Company in their place and leads Search."
        in response.text
    )
    assert "invite Tom Newman to log in if needed" in response.text


def test_harriet_cannot_make_her_own_record_another_person_and_lose_her_login(
    harriet: Client, company: dict[str, Person]
) -> None:
    own = company["harriet"]
    response = harriet.post(
        f"/admin/teams/person/{own.pk}/change/",
        {
            "name": "Harriet Tubman-Davis",
            "email": own.email,
            "employee_id": own.employee_id,
            "active": "on",
            "manager": company["ada"].pk,
            "_save": "Save",
        },
    )
    assert response.status_code == 200
    assert "This is your own record" in response.text
    assert Person.objects.get(pk=own.pk).name == "Harriet Tubman"
    assert harriet.get("/admin/teams/person/").status_code == 200  # still logged in


def test_a_seat_keyed_org_file_makes_linus_leave_and_tom_join(
    company: dict[str, Person], october: int
) -> None:
    search_id = Team.objects.get(name="Search").pk
    summary = import_org(rows=tom_in_linus_seat())
    assert (summary.created, summary.updated, summary.replaced) == (0, 0, 1)
    assert summary.unchanged == Person.objects.on_chart().count() - 1
    assert (
        "1 replaced (a new name or email is another person): Linus Torvalds left; Tom Newman "
        "joined Company in their place and leads Search." in str(summary)
    )
    assert summary.changes.teams_created == summary.changes.teams_removed == []
    tom = assert_linus_left_and_tom_joined(company, october, search_id)
    assert tom.employee_id == LINUS_ID


def test_reimporting_the_same_file_changes_nothing_and_replaces_nobody(
    company: dict[str, Person], october: int
) -> None:
    untouched = import_org(rows=chart_rows())
    assert (untouched.replaced, untouched.updated, untouched.created) == (0, 0, 0)
    import_org(rows=tom_in_linus_seat())
    people = set(Person.objects.values_list("pk", "employee_id", "email", "name", "manager_id"))
    again = import_org(rows=tom_in_linus_seat())
    assert (again.replaced, again.updated, again.created) == (0, 0, 0)
    assert "replaced" not in str(again)
    assert set(Person.objects.values_list("pk", "employee_id", "email", "name", "manager_id")) == (
        people
    )


def test_a_case_change_in_the_email_is_the_same_person(
    harriet: Client, company: dict[str, Person], october: int
) -> None:
    leo, linus = company["leo"], company["linus"]
    summary = import_org(rows=chart_rows(**{LINUS_ID: {"email": linus.email.upper()}}))
    assert (summary.replaced, summary.updated) == (0, 1)
    assert Person.objects.get(pk=linus.pk).email == linus.email.upper()
    assert Person.objects.get(pk=linus.pk).user is not None  # his login is still his

    saved = save_person(
        person=Person(
            pk=leo.pk,
            employee_id=leo.employee_id,
            email="Leo@Example.com",
            name="leo  stays",
            manager_id=leo.manager_id,
        )
    )
    assert saved.pk == leo.pk and Person.objects.get(pk=leo.pk).erased_at is None


@pytest.mark.parametrize(
    "change",
    [
        {"name": "Linus Benedict Torvalds"},  # a name changed on marriage, or corrected
        {"email": "linus@torvalds.example"},  # an address corrected, or a new domain
        {"employee_id": "EMP-1"},
    ],
    ids=["name", "email", "employee_id"],
)
def test_a_lone_change_is_another_person_too(
    company: dict[str, Person], october: int, change: dict[str, str]
) -> None:
    """Two lone changes one after the other would otherwise hand a row over."""
    linus = company["linus"]
    assert is_another_person(
        linus,
        employee_id=change.get("employee_id", linus.employee_id),
        email=change.get("email", linus.email),
        name=change.get("name", linus.name),
    )
    row = Person.objects.get(pk=linus.pk)
    for field, value in change.items():
        setattr(row, field, value)
    joined = save_person(person=row)
    assert joined.pk != linus.pk
    assert Invitation.objects.filter(cycle_id=october, person_id=linus.pk).exists()
    assert Team.objects.get(name="Search").manager_id == joined.pk


def test_harriets_reader_record_stays_with_the_person_who_was_hr(
    company: dict[str, Person], october: int
) -> None:
    harriet = company["harriet"]
    assert CycleReader.objects.filter(cycle_id=october, person_id=harriet.pk).exists()
    import_org(rows=chart_rows(harriet={"name": "Hattie Newhire", "email": "hattie@example.com"}))
    hattie = Person.objects.get(email="hattie@example.com")
    assert set(
        CycleReader.objects.filter(cycle_id=october).values_list("person_id", flat=True)
    ) == {harriet.pk}
    assert hattie.user is None


def test_someone_never_invited_is_deleted_and_a_team_named_after_them_renamed(
    company: dict[str, Person],
) -> None:
    nora = person("nora", "Nora Newcomer", company["ada"])
    person("ned", "Ned Report", nora)
    sync_teams()
    assert Team.objects.filter(manager=nora, name="Nora Newcomer's team").exists()
    summary = import_org(rows=chart_rows(nora={"name": "Nina Next", "email": "nina@example.com"}))
    assert summary.replaced == 1
    assert not Person.objects.filter(pk=nora.pk).exists()
    nina = Person.objects.get(employee_id="nora")
    assert Team.objects.get(manager=nina).name == "Nina Next's team"
    assert [(rename.old_name, rename.new_name) for rename in summary.changes.teams_renamed] == [
        ("Nora Newcomer's team", "Nina Next's team")
    ]


def test_a_dry_run_or_a_failed_import_leaves_linus_as_he_was(
    company: dict[str, Person], october: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    def state() -> set[tuple]:
        return set(Person.objects.values_list("pk", "employee_id", "email", "name", "user_id"))

    before = state()
    preview = import_org(rows=tom_in_linus_seat(), dry_run=True)
    assert preview.replaced == 1
    assert "Linus Torvalds would leave; Tom Newman would join Company" in str(preview)
    assert state() == before

    def broken_sync(**_: object) -> None:
        raise RuntimeError("the tree could not be synced")

    monkeypatch.setattr("teams.services.sync_teams", broken_sync)
    with pytest.raises(RuntimeError):
        import_org(rows=tom_in_linus_seat())
    assert state() == before
    assert Team.objects.get(name="Search").manager_id == company["linus"].pk


def test_the_stored_import_summaries_do_not_name_linus_once_he_left(
    company: dict[str, Person], october: int
) -> None:
    hr = User.objects.get(username=company["harriet"].email)
    preview = OrgImportJob.objects.create(
        user=hr,
        file_name="seats.csv",
        data=b"",
        dry_run=True,
        created_at=timezone.now(),
        summary=summary_record(import_org(rows=tom_in_linus_seat(), dry_run=True)),
    )
    previewed = preview.summary or {}
    assert previewed["changes"]["people_replaced"]["first"][0]["left"] == "Linus Torvalds"
    applied = summary_record(import_org(rows=tom_in_linus_seat()))
    preview.refresh_from_db()
    for record in (preview.summary or {}, applied):
        (replaced,) = record["changes"]["people_replaced"]["first"]
        assert (replaced["left"], replaced["name"], replaced["employee_id"]) == (
            ERASED_NAME,
            TOM["name"],
            LINUS_ID,
        )
    assert applied["replaced"] == 1
