"""HR imports the org chart from a CSV export. Ada is the CEO; Grace and Linus report to her;
Margaret works for Grace. A file with any problem is refused whole, with every problem listed
by line and column, and the database is left exactly as it was."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from teams.models import Person, Team
from teams.org_csv import parse_csv
from teams.services import import_org

pytestmark = pytest.mark.django_db

GOOD = """employee_id,email,name,manager_id,team
A1,ada@example.com,Ada Lovelace,,Company
G2,grace@example.com,Grace Hopper,A1,Platform
L3,linus@example.com,Linus Torvalds,A1,
M4,margaret@example.com,Margaret Hamilton,G2,
"""


def manager_field(employee_id: str, field: str) -> object:
    """A field of the person's manager, read in one query (None when they have no manager)."""
    return Person.objects.values_list(f"manager__{field}", flat=True).get(employee_id=employee_id)


def write(tmp_path, text: str | bytes, name: str = "people.csv"):
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


def run_import(path, *flags: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_org", str(path), *flags, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def database_state() -> tuple[list, list]:
    people = list(
        Person.objects.order_by("employee_id").values_list(
            "employee_id", "email", "name", "manager__employee_id", "active"
        )
    )
    teams = list(Team.objects.order_by("name").values_list("name", "parent__name", "manager_id"))
    return people, teams


@pytest.fixture
def imported(tmp_path):
    run_import(write(tmp_path, GOOD))
    return database_state()


def refused(tmp_path, text: str | bytes) -> list[str]:
    """Import `text`, expect a refusal, and return the reported problems (without the path)."""
    before = database_state()
    with pytest.raises(CommandError, match="nothing was imported"):
        out, err = StringIO(), StringIO()
        try:
            call_command("import_org", str(write(tmp_path, text)), stdout=out, stderr=err)
        finally:
            reported = [line.split(": ", 1)[1] for line in err.getvalue().splitlines()]
    assert database_state() == before, "a refused file must change nothing"
    return reported


def test_a_good_file_creates_people_and_the_team_tree(tmp_path) -> None:
    out, _ = run_import(write(tmp_path, GOOD))
    assert "4 created, 0 updated, 0 unchanged, 0 deactivated; 2 teams" in out
    company = Team.objects.get(name="Company")
    platform = Team.objects.get(name="Platform")
    assert platform.parent == company
    assert company.manager.name == "Ada Lovelace"
    assert manager_field("M4", "name") == "Grace Hopper"


def test_importing_the_same_file_twice_changes_nothing(tmp_path, imported) -> None:
    with CaptureQueriesContext(connection) as queries:
        out, _ = run_import(write(tmp_path, GOOD))
    assert "0 created, 0 updated, 4 unchanged" in out
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith(("INSERT", "UPDATE")) and "teams_" in q["sql"]
    ]
    # The org chart is untouched; only the audit log notes that the file was imported again.
    assert [sql for sql in writes if "teams_auditevent" not in sql] == []
    assert [sql.split("(")[0] for sql in writes] == ['INSERT INTO "teams_auditevent" ']
    assert database_state() == imported


def test_a_manager_defined_after_their_reports_is_fine(tmp_path) -> None:
    text = "employee_id,email,name,manager_id\nM4,m@example.com,Margaret,G2\nG2,g@example.com,Grace,A1\nA1,a@example.com,Ada,\n"
    run_import(write(tmp_path, text))
    assert manager_field("M4", "employee_id") == "G2"


def test_columns_may_come_in_any_order_and_the_team_column_is_optional(tmp_path) -> None:
    text = "name,manager_id,email,employee_id\nAda,,a@example.com,A1\nGrace,A1,g@example.com,G2\n"
    run_import(write(tmp_path, text))
    assert Team.objects.get().name == "Ada's team"


def test_changes_update_people_and_move_teams(tmp_path, imported) -> None:
    moved = GOOD.replace(
        "M4,margaret@example.com,Margaret Hamilton,G2,", "M4,maggie@example.com,Margaret H.,L3,"
    )
    out, _ = run_import(write(tmp_path, moved))
    assert "0 created, 1 updated, 3 unchanged" in out
    margaret = Person.objects.get(employee_id="M4")
    assert (margaret.email, margaret.name, manager_field("M4", "employee_id")) == (
        "maggie@example.com",
        "Margaret H.",
        "L3",
    )
    assert not Team.objects.filter(manager__employee_id="G2").exists()
    assert (
        Team.objects.values_list("parent__name", flat=True).get(manager__employee_id="L3")
        == "Company"
    )


def test_two_people_may_swap_email_addresses(tmp_path, imported) -> None:
    swapped = (
        GOOD.replace("grace@example.com", "TMP")
        .replace("linus@example.com", "grace@example.com")
        .replace("TMP", "linus@example.com")
    )
    run_import(write(tmp_path, swapped))
    assert Person.objects.get(employee_id="G2").email == "linus@example.com"
    assert Person.objects.get(employee_id="L3").email == "grace@example.com"


def test_people_missing_from_the_file_stay_unless_hr_asks_to_deactivate(tmp_path, imported) -> None:
    without_linus = "\n".join(line for line in GOOD.splitlines() if not line.startswith("L3"))
    path = write(tmp_path, without_linus + "\n")
    run_import(path)
    assert Person.objects.get(employee_id="L3").active
    out, _ = run_import(path, "--deactivate-missing")
    assert "1 deactivated" in out
    assert not Person.objects.get(employee_id="L3").active
    out, _ = run_import(write(tmp_path, GOOD))
    assert "1 updated" in out and Person.objects.get(employee_id="L3").active


def test_a_dry_run_counts_but_changes_nothing(tmp_path) -> None:
    out, _ = run_import(write(tmp_path, GOOD), "--dry-run")
    assert out.startswith("Would import: 4 created")
    assert not Person.objects.exists()


def test_an_empty_file_is_refused(tmp_path) -> None:
    assert refused(tmp_path, "") == [
        "line 1: the file is empty; expected a header: employee_id,email,name,manager_id[,team]"
    ]


def test_a_header_without_people_is_refused(tmp_path) -> None:
    assert refused(tmp_path, "employee_id,email,name,manager_id\n") == [
        "line 1: the file has a header but no people"
    ]


def test_a_wrong_header_lists_every_missing_and_unknown_column(tmp_path, imported) -> None:
    problems = refused(tmp_path, "employee,email,name,boss\nA1,a@example.com,Ada,\n")
    assert problems == [
        "line 1, column boss: unknown column; expected employee_id,email,name,manager_id[,team]",
        "line 1, column employee: unknown column; expected employee_id,email,name,manager_id[,team]",
        "line 1, column employee_id: required column is missing; expected "
        "employee_id,email,name,manager_id[,team]",
        "line 1, column manager_id: required column is missing; expected "
        "employee_id,email,name,manager_id[,team]",
    ]


def test_a_file_that_is_not_utf8_names_the_line_and_column_with_the_bad_byte(
    tmp_path, imported
) -> None:
    latin1 = GOOD.replace("Linus Torvalds", "Linus Törvalds").encode("latin-1")
    problems = refused(tmp_path, latin1)
    assert problems == [
        "line 4, column name: is not valid UTF-8 (byte 0xf6 at character 8); save the file "
        "as UTF-8 CSV"
    ]
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_org", str(write(tmp_path, latin1)), stderr=err)
    assert ": line 4, column name: is not valid UTF-8" in err.getvalue()


def test_a_utf8_file_with_a_byte_order_mark_imports(tmp_path) -> None:
    run_import(write(tmp_path, "\ufeff" + GOOD))
    assert Person.objects.count() == 4


def test_every_row_problem_is_reported_at_once_with_line_and_column(tmp_path, imported) -> None:
    text = (
        "employee_id,email,name,manager_id\n"
        "A1,ada@example.com,Ada Lovelace,\n"  # line 2
        "G2,grace@example,Grace Hopper,A1\n"  # line 3: malformed email
        "G2,g2@example.com,Grace Again,A1\n"  # line 4: duplicate id
        "L3,ADA@example.com,Linus,A1\n"  # line 5: duplicate email, other case
        "M4,m@example.com,Margaret,Z9\n"  # line 6: unknown manager
        "N5,n@example.com,,A1\n"  # line 7: empty name
        "P6,p@example.com,Pat,A1,extra\n"  # line 8: too many fields
        "Q7,q@example.com,Quinn,Q7\n"  # line 9: own manager
    )
    assert refused(tmp_path, text) == [
        'line 3, column email: "grace@example" is not a valid email address',
        'line 4, column employee_id: "G2" already appears on line 3',
        'line 5, column email: "ADA@example.com" already appears on line 2',
        'line 6, column manager_id: "Z9" is not an employee_id in this file',
        "line 7, column name: is empty",
        "line 8: has 5 fields, but the header has 4 (employee_id, email, name, manager_id)",
        "line 9, column manager_id: a person cannot be their own manager",
    ]


def test_reporting_cycles_name_the_people_in_the_loop(tmp_path, imported) -> None:
    text = (
        "employee_id,email,name,manager_id\n"
        "A1,a@example.com,Ada,\n"
        "B2,b@example.com,Bea,D4\n"
        "C3,c@example.com,Cy,B2\n"
        "D4,d@example.com,Di,C3\n"
    )
    assert refused(tmp_path, text) == [
        'line 3, column manager_id: reporting cycle: "B2" → "D4" → "C3" → "B2"'
    ]


def test_a_second_top_person_and_a_missing_top_person_are_refused(tmp_path, imported) -> None:
    two_tops = "employee_id,email,name,manager_id\nA1,a@example.com,Ada,\nB2,b@example.com,Bea,\n"
    assert refused(tmp_path, two_tops) == [
        'line 3, column manager_id: a second top person (empty manager_id); the first is "A1" on line 2'
    ]
    no_top = "employee_id,email,name,manager_id\nA1,a@example.com,Ada,B2\nB2,b@example.com,Bea,A1\n"
    assert refused(tmp_path, no_top) == [
        "line 1, column manager_id: no top person: exactly one person must have an empty manager_id",
        'line 2, column manager_id: reporting cycle: "A1" → "B2" → "A1"',
    ]


def test_values_longer_than_the_database_allows_are_refused(tmp_path, imported) -> None:
    text = f"employee_id,email,name,manager_id\nA1,a@example.com,{'x' * 201},\n"
    assert refused(tmp_path, text) == ["line 2, column name: is 201 characters long; at most 200"]


def test_an_email_of_someone_outside_the_file_is_refused_not_crashed(tmp_path, imported) -> None:
    text = "employee_id,email,name,manager_id\nZ9,margaret@example.com,Zed,\n"
    assert refused(tmp_path, text) == [
        'line 2, column email: "margaret@example.com" belongs to employee "M4", who is not in this file'
    ]


def test_an_unreadable_path_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_org", str(tmp_path / "missing.csv"))


def test_a_dry_run_names_who_and_which_teams_would_change_and_changes_nothing(imported) -> None:
    moved = GOOD.replace(
        "M4,margaret@example.com,Margaret Hamilton,G2,",
        "M4,margaret@example.com,Margaret Hamilton,L3,",
    )
    summary = import_org(rows=parse_csv(moved.encode()), dry_run=True)
    changes = summary.changes
    assert [(c.employee_id, c.fields) for c in changes.people_updated] == [("M4", ("manager",))]
    assert [(c.old_manager, c.new_manager) for c in changes.managers_changed] == [
        ("Grace Hopper", "Linus Torvalds")
    ]
    assert changes.teams_created == ["Linus Torvalds's team"]
    assert changes.teams_removed == ["Platform"]  # Grace no longer leads anyone
    assert changes.people_created == [] and changes.people_deactivated == []
    assert database_state() == imported
