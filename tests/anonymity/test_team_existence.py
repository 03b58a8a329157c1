"""A manager asking the dashboard about teams outside their scope (pulse.access: "Everything
outside a viewer's scope answers 404, so a page never confirms that something exists").

The dashboard addresses a unit by its team (`?team=`). A team the survey did not have opens
the viewer's own results with a note; a team the survey had, outside the viewer's scope,
answers 404. So the answer tells which team ids were part of a survey the viewer cannot read:
counted over the ids, how many teams it had and which were added or dropped between surveys.

Ada's company: five staff; Cleo leads Support (ten agents), Dan leads Data (five analysts).
Cleo reads only Support.
"""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from teams.models import Team
from tests.anonymity.test_across_surveys import Sheet, run_survey
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
          Dan Data (Data)
            5 analysts
        """
    )


def logged_in(org: BuiltOrg, name: str) -> Client:
    person = org[name]
    person.user = User.objects.create_user(person.email, person.email, "pw")
    person.save(update_fields=["user"])
    client = Client()
    client.force_login(person.user)
    return client


def test_a_manager_learns_which_teams_a_survey_had_by_asking_for_them_by_id(client, org) -> None:
    survey = run_survey(client, "October", {person: Sheet(5, 8, None) for person in org.everyone})
    cleo = logged_in(org, "Cleo Turner")
    data = org.team("Data")
    never_in_it = (Team.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1

    def answer_for(team_id: int) -> int:
        return cleo.get(f"/dashboard/?cycle={survey.cycle.pk}&team={team_id}").status_code

    # The promise: outside her scope, a team the survey had and one it did not look alike.
    assert answer_for(data.pk) == answer_for(never_in_it), (
        f"Data (in the survey): {answer_for(data.pk)}; "
        f"a team id the survey never had: {answer_for(never_in_it)}"
    )
