"""A team's hidden result, read for whether anyone in it answered (docs/anonymity.md,
"Results: what the readers can work out": a hidden figure says why, and a team whose few
answers were moved is named where they went).

Close moves a unit with 1 to k-1 respondents into its parent's cell and records where; a unit
nobody answered in is moved nowhere. The pages say "Fewer than 5 answers" for both, but add
"its answers are counted in Company" only for the second, and list it among the teams the
company "also counts". So a manager reading the results learns that every one of Data's five
analysts sent nothing, and that someone in Ops did.

Ada's company: five staff; Cleo leads Support (ten agents), Dan leads Data (five analysts),
Eve leads Ops (five operators). Nobody in Data answers; one operator in Ops does.
"""

import pytest

from tests.anonymity.test_across_surveys import Sheet, as_reader, run_survey
from tests.org_builder import BuiltOrg, build_org

pytestmark = pytest.mark.django_db


@pytest.fixture
def org() -> BuiltOrg:
    return build_org(
        """
        Ada Lovelace (Company)
          5 staff
          Cleo Turner (Support)
            10 agents
          Dan Silent (Data)
            5 analysts
          Eve Few (Ops)
            5 operators
        """
    )


def what_a_reader_sees(unit: dict) -> dict:
    """A unit's row of the results API, without what names it."""
    return {key: value for key, value in unit.items() if key not in {"id", "name", "parent"}}


def test_a_manager_tells_a_team_where_nobody_answered_from_one_where_someone_did(
    client, org
) -> None:
    answering = [
        *org.reports_of("Ada Lovelace"),
        *org.reports_of("Cleo Turner"),
        org["Ada Lovelace"],
        org.reports_of("Eve Few")[0],  # the one operator who answers
    ]
    survey = run_survey(client, "October", {person: Sheet(5, 8, None) for person in answering})

    data = as_reader(org["Ada Lovelace"], survey, "Data")
    ops = as_reader(org["Ada Lovelace"], survey, "Ops")
    company = as_reader(org["Ada Lovelace"], survey, "Company")
    assert data["status"] == ops["status"] == "suppressed"
    assert data["eligible"] == ops["eligible"] == 5
    # The promise: "fewer than k answers" says no more for nobody than for one.
    assert what_a_reader_sees(data) == what_a_reader_sees(ops), (
        f"Data (nobody answered): {data['reason']!r}; Ops (one answered): {ops['reason']!r}"
    )
    assert ("Ops" in company["counts_teams"]) == ("Data" in company["counts_teams"]), (
        f"the company lists the teams whose answers it counts: {company['counts_teams']}"
    )
