"""HR staff who sign in with a login of their own, under an address that is not their
employee address, must not read their own team less their own answers
(docs/anonymity.md, "Results: what the readers can work out").

The people behind the HR logins are found, when a survey closes, by the login's link to its
person or by the same email address (surveys.closing.record_hr_readers). A login HR makes for
itself with `manage.py make_hr`, say one per officer under the HR desk's own domain, has
neither: were it to read results, no person would be counted as a reader for it, and every
rule that takes the readers out would count the officers as people who cannot read results.

Ada's company: five staff; Ben leads North (five alphas), Cleo leads East: Quinn and four
officers who run HR, each through a login "officer-N@hr-desk.example". Everyone answers.
East has five respondents; the four officers know their own answers, and East less them is
Quinn. The attack reads East as each officer's login and takes the officers' answers out.
"""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client

from surveys.instrument import SCALE_VALUES
from surveys.models import CycleReader
from teams.models import Person
from teams.roles import is_hr
from tests.anonymity.test_across_surveys import Sheet, rescaled, run_survey
from tests.anonymity.test_regions_between_surveys import (
    ENPS_CLASSES,
    net_of,
    nets,
    score_sum_bounds,
)
from tests.anonymity.test_union_of_regions_between_surveys import group
from tests.org_builder import BuiltOrg, build_org
from tests.support.hr_logins import outside_hr_login

pytestmark = pytest.mark.django_db

QUINN = Sheet(7, 2, None)  # what the attack reads: agrees throughout, a detractor
OFFICERS = (Sheet(3, 9, None), Sheet(4, 10, None), Sheet(5, 8, None), Sheet(6, 7, None))


def east_with_officers(*, staff: int = 5) -> BuiltOrg:
    """Ada's company: `staff` staff; Ben leads North (five alphas), Cleo leads East (Quinn and
    four officers who run HR)."""
    return build_org(
        f"""
        Ada Lovelace (Company)
          {staff} staff
          Ben Carter (North)
            5 alphas
          Cleo Turner (East)
            Quinn Solo
            4 officers
        """
    )


@pytest.fixture
def org() -> BuiltOrg:
    return east_with_officers()


def work_address_logins(officers: list[Person]) -> list[User]:
    """Each officer made HR with make_hr under her own work address: linked to her row."""
    logins = []
    for officer in officers:
        call_command("make_hr", officer.email, "--password", "a long pass 1", stdout=StringIO())
        logins.append(User.objects.get(username=officer.email))
    return logins


def logins_made_before_the_org_chart() -> list[User]:
    """The officers' HR logins made with make_hr at install, before the org chart is imported
    (the usual order): each finds its officer by the address it was made under."""
    logins = []
    for number in range(1, 5):
        email = f"officer.{number}@example.com"
        call_command("make_hr", email, "--password", "a long passphrase 1", stdout=StringIO())
        logins.append(User.objects.get(username=email))
    return logins


def hr_desk_logins(officers: list[Person], *, naming: bool = False) -> list[User]:
    """Logins HR makes for its own work with `manage.py make_hr`, under the desk's domain:
    HR, and, unless `naming`, linked to no person, since no person has that address."""
    logins = []
    for number, officer in enumerate(officers, start=1):
        email = f"officer-{number}@hr-desk.example"
        naming_args = ["--person", officer.employee_id] if naming else []
        out = StringIO()
        call_command(
            "make_hr", email, "--password", "a long passphrase 1", *naming_args, stdout=out
        )
        login = User.objects.get(username=email)
        assert is_hr(login)
        assert Person.objects.filter(user=login).exists() == naming
        assert ("names nobody in the org chart" in out.getvalue()) != naming, out.getvalue()
        logins.append(login)
    return logins


def read_as(login: User, cycle_id: int, team: str) -> dict | None:
    """East as the login's results API gives it; None when the login reads nothing of it."""
    client = Client()
    client.force_login(login)
    response = client.get(f"/api/v1/results?cycle={cycle_id}")
    if response.status_code == 404:
        return None
    assert response.status_code == 200, response.content
    return next((unit for unit in response.json() if unit["name"] == team), None)


def quinn_as_read_from(east: dict | None) -> tuple[set[int], set[int]]:
    """The eNPS classes and the answers Quinn may have given, from East less the officers'
    answers: every class and every answer when East tells nothing."""
    if east is None or east["status"] != "released" or east["enps"] is None:
        return set(ENPS_CLASSES), set(SCALE_VALUES)
    officers_enps = net_of(OFFICERS)
    classes = {net - officers_enps for net in nets(east)} & set(ENPS_CLASSES)
    assert -1 in classes, "the attack is sound"
    domain = next(iter(east["domains"]))
    low, high = score_sum_bounds(
        [(east, 1)], domain, start=-sum(rescaled(s.value) for s in OFFICERS)
    )
    values = {v for v in SCALE_VALUES if low - 1e-9 <= rescaled(v) <= high + 1e-9}
    assert QUINN.value in values, "the attack is sound"
    return classes, values


def everyone_answers(org: BuiltOrg) -> dict[Person, Sheet]:
    sheets = {person: Sheet(5, 8, None) for person in org.everyone}
    for officer, sheet in zip(group(org, "Officer"), OFFICERS, strict=True):
        sheets[officer] = sheet
    sheets[org["Quinn Solo"]] = QUINN
    return sheets


def test_hr_staff_signing_in_under_another_address_cannot_read_their_colleague(client, org) -> None:
    logins = hr_desk_logins(group(org, "Officer"))

    october = run_survey(client, "October", everyone_answers(org))

    for login in logins:
        # HR when October closed, and recorded so, with nobody behind it: as every HR login
        # was recorded by the surveys that closed before logins had to name their person.
        assert CycleReader.objects.filter(cycle=october.cycle, user=login, person=None).exists()
        east = read_as(login, october.cycle.pk, "East")
        # The promise: one person's answer is bounded no better than the whole scale.
        assert quinn_as_read_from(east) == (set(ENPS_CLASSES), set(SCALE_VALUES)), east
        reader = Client()
        reader.force_login(login)
        page = reader.get("/hr/heatmap/").content.decode()
        assert "This login names nobody active in the org chart" in page
        assert "East" not in page
        assert reader.get(f"/dashboard/?cycle={october.cycle.pk}").status_code == 404


def test_hr_staff_who_name_themselves_read_results_that_count_them(client, org) -> None:
    logins = hr_desk_logins(group(org, "Officer"), naming=True)

    october = run_survey(client, "October", everyone_answers(org))

    east = read_as(logins[0], october.cycle.pk, "East")
    assert east is not None and east["eligible"] == 5, "the officers read the survey"
    assert quinn_as_read_from(east) == (set(ENPS_CLASSES), set(SCALE_VALUES)), east
    north = read_as(logins[0], october.cycle.pk, "North")
    assert north is not None and north["status"] == "released"


def test_saying_an_officers_login_is_outside_the_org_chart_is_in_the_audit_log(client, org) -> None:
    """The statement takes the command line, never a page, and every HR admin reads it in the
    audit log: an officer who lies with it leaves a trace, as one who invents people does."""
    officer = group(org, "Officer")[0]
    with pytest.raises(CommandError, match="Leave out --outside-org-chart"):
        call_command("make_hr", officer.email, "--outside-org-chart", stdout=StringIO())

    call_command("make_hr", "officer-1@hr-desk.example", "--outside-org-chart", stdout=StringIO())
    hannah = outside_hr_login("hannah@example.com")
    reader = Client()
    reader.force_login(hannah)
    log = reader.get("/hr/audit/").content.decode()
    assert "Said a login is nobody in the org chart" in log
    assert "officer-1@hr-desk.example" in log
    assert not hannah.has_perm("teams.add_loginoutsideorgchart")
    assert not hannah.has_perm("teams.change_loginoutsideorgchart")
