"""Four HR officers began as outside advisers: their logins were said, truthfully then, to be
nobody in the org chart (`make_hr --outside-org-chart`). They were then hired under the very
addresses of their logins, so October's launch linked each login to its officer, and counted
her. Then a migration to new employee ids and addresses (old rows inactive,
test_hr_officers_renumbered_by_an_import): the logins' links lead to inactive rows and name
nobody. Had the old statements counted again, the officers would read November as HR while
the release counted their new rows, through which they answered, as nobody: East less their
answers would be Quinn. A statement counts only for a login linked to nobody
(teams.hr_identity.is_outside_org_chart, surveys.selectors.hr_readings).
"""

import pytest

from teams.hr_identity import names_nobody, person_of_login
from teams.models import Person
from tests.anonymity.test_across_surveys import run_survey
from tests.anonymity.test_hr_login_under_another_address import (
    east_with_officers,
    quinn_as_read_from,
    read_as,
)
from tests.anonymity.test_hr_officers_renumbered_by_an_import import (
    NOTHING_TOLD,
    migrate,
    sheets_of,
)
from tests.anonymity.test_union_of_regions_between_surveys import group
from tests.support.hr_logins import outside_hr_login

pytestmark = pytest.mark.django_db


def test_an_advisers_statement_does_not_come_back_when_her_row_turns_inactive(client) -> None:
    logins = [outside_hr_login(f"officer.{number}@example.com") for number in range(1, 5)]
    org = east_with_officers()
    officers = group(org, "Officer")

    october = run_survey(client, "October", sheets_of(org.people))
    assert [person_of_login(login) for login in logins] == officers, "linked at launch"
    for login in logins:
        assert quinn_as_read_from(read_as(login, october.cycle.pk, "East")) == NOTHING_TOLD

    migrate(org)
    assert all(names_nobody(login) for login in logins), "linked to inactive rows: nobody"
    new_people = {p.name: p for p in Person.objects.filter(employee_id__startswith="N-")}
    november = run_survey(client, "November", sheets_of(new_people))

    for login in logins:
        # Nobody counted for the login: it reads nothing of November.
        assert read_as(login, november.cycle.pk, "East") is None
        assert read_as(login, november.cycle.pk, "North") is None
