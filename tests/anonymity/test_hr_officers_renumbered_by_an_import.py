"""A migration to a new HR system (a merger: new employee ids, a new mail domain) imported by HR
through the org import API with "deactivate missing", as the import is meant to be used. Every
row is new; the old rows are kept, inactive, and the HR officers' logins still lead to them.

Had those old rows counted as the people behind the logins at the next close, the release
would count as readers rows that were not invited, and the officers' new rows, through whose
links they answered, as nobody: East (Quinn and the four officers) released to the officers,
and East less their answers is Quinn. A login whose person is inactive names nobody
(teams.hr_identity.person_of_login), so the officers read nothing of November.
"""

import pytest
from rest_framework.test import APIClient

from surveys.instrument import SCALE_VALUES
from teams.hr_identity import names_nobody, person_of_login
from teams.models import Person
from tests.anonymity.test_across_surveys import Sheet, run_survey
from tests.anonymity.test_hr_login_under_another_address import (
    OFFICERS,
    QUINN,
    east_with_officers,
    quinn_as_read_from,
    read_as,
    work_address_logins,
)
from tests.anonymity.test_regions_between_surveys import ENPS_CLASSES
from tests.anonymity.test_union_of_regions_between_surveys import group
from tests.org_builder import BuiltOrg
from tests.support.hr_logins import outside_hr_login

pytestmark = pytest.mark.django_db

NOTHING_TOLD = (set(ENPS_CLASSES), set(SCALE_VALUES))


def sheets_of(people: dict[str, Person]) -> dict[Person, Sheet]:
    sheets = {person: Sheet(5, 8, None) for person in people.values()}
    for number, sheet in enumerate(OFFICERS, start=1):
        sheets[people[f"Officer {number}"]] = sheet
    sheets[people["Quinn Solo"]] = QUINN
    return sheets


def migrate(org: BuiltOrg) -> None:
    """HR imports the new system's export (new ids, new addresses) through the API,
    deactivating everyone it does not list: the old rows."""
    api = APIClient()
    api.force_authenticate(outside_hr_login("hannah@example.com"))
    new_id = {person.pk: f"N-{person.employee_id}" for person in org.everyone}
    teams = {"Ada Lovelace": "Company", "Ben Carter": "North", "Cleo Turner": "East"}
    lines = ["employee_id,email,name,manager_id,team"]
    for person in org.everyone:
        email = person.email.replace("@example.com", "@newco.example")
        manager = new_id[person.manager_id] if person.manager_id else ""
        lines.append(
            f"{new_id[person.pk]},{email},{person.name},{manager},{teams.get(person.name, '')}"
        )
    response = api.generic(
        "POST",
        "/api/v1/org/import?deactivate_missing=true",
        "\n".join(lines) + "\n",
        content_type="text/csv",
    )
    assert response.status_code == 200, response.content
    assert response.json()["created"] == len(org.everyone), response.json()


def test_officers_renumbered_by_a_migration_do_not_read_their_colleague(client) -> None:
    org = east_with_officers()
    logins = work_address_logins(group(org, "Officer"))
    assert [person_of_login(login) for login in logins] == group(org, "Officer")
    october = run_survey(client, "October", sheets_of(org.people))
    for login in logins:
        assert quinn_as_read_from(read_as(login, october.cycle.pk, "East")) == NOTHING_TOLD

    # The merger: the new system's export, deactivating everyone it does not list.
    migrate(org)
    new_people = {
        person.name: person for person in Person.objects.filter(employee_id__startswith="N-")
    }
    assert all(names_nobody(login) for login in logins), "their rows are inactive"

    november = run_survey(client, "November", sheets_of(new_people))

    for login in logins:
        east = read_as(login, november.cycle.pk, "East")
        # The promise: one person's answer is bounded no better than the whole scale.
        assert quinn_as_read_from(east) == NOTHING_TOLD, east
