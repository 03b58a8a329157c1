"""Nine officers who ran HR when October closed work in East beside Quinn in November, no
longer HR, and everyone writes a comment (docs/anonymity.md, "Comments do not give you
away", and "Across surveys": whoever read any survey's results knows their own answers in
all of them).

A group's comments are shown when it has k_comment respondents beyond its readers, and the
readers counted are the readers of every survey (surveys.selectors.viewers_per_unit), not
only November's. November's East has ten respondents, nine of them October's readers: its
page shows none of its comments, whether October was answered or not. Counting November's
readers only, it showed ten comments, nine of them the officers' own; the tenth was Quinn's.

Ada's company: ten staff; Ben leads North (ten alphas), Cleo leads East: Quinn and nine
officers. Everyone answers November; October was answered by everyone, or by nobody.
"""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from pulse.scheduler import run_pulse_tick
from surveys.closing import close_cycle
from surveys.models import CycleTeam
from teams.models import Person
from tests.anonymity.test_across_surveys import Sheet, run_survey
from tests.anonymity.test_union_of_regions_between_surveys import group
from tests.anonymity.test_union_of_regions_with_former_hr import made_hr
from tests.focus_setup import launch_survey
from tests.org_builder import BuiltOrg, build_org

pytestmark = pytest.mark.django_db

QUINN_SAYS = "The on-call rota broke me this quarter and nobody noticed."


@pytest.fixture
def org() -> BuiltOrg:
    return build_org(
        """
        Ada Lovelace (Company)
          10 staff
          Ben Carter (North)
            10 alphas
          Cleo Turner (East)
            Quinn Solo
            9 officers
        """
    )


def said_by(person: Person) -> str:
    return QUINN_SAYS if person.name == "Quinn Solo" else f"A word from {person.name}."


def answer_with_comments(client: Client, name: str, people: list[Person]):
    survey = launch_survey(name)
    for person in people:
        token = survey.token(person.email)
        keys = [q["key"] for q in client.get(f"/api/v1/pulse/{token}").json()["questions"]]
        response = client.post(
            f"/api/v1/pulse/{token}",
            {"answers": dict.fromkeys(keys, 5), "enps": 8, "comment": said_by(person)},
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
    close_cycle(cycle_id=survey.cycle.pk)
    assert survey.cycle.pk in run_pulse_tick().released
    return survey


def east_page(org: BuiltOrg, survey) -> str:
    cleo = Person.objects.get(pk=org["Cleo Turner"].pk)
    if cleo.user is None:
        cleo.user = User.objects.create_user(cleo.email, cleo.email, "pw")
        cleo.save(update_fields=["user"])
    reader = Client()
    reader.force_login(cleo.user)
    unit = CycleTeam.objects.get(cycle=survey.cycle, name="East")
    response = reader.get(f"/dashboard/?cycle={survey.cycle.pk}&unit={unit.pk}")
    assert response.status_code == 200
    return response.content.decode()


def read_quinns_comment(client, org: BuiltOrg, *, october_answered: bool) -> None:
    officers = group(org, "Officer")
    logins = made_hr(officers)
    if october_answered:
        run_survey(client, "October", {person: Sheet(5, 8, None) for person in org.everyone})
    else:
        run_survey(client, "October", {})
    for login in logins:
        login.groups.clear()
    november = answer_with_comments(client, "November", org.everyone)

    page = east_page(org, november)
    shown = [said_by(p) for p in org.everyone if said_by(p) in page]
    if not shown:
        return  # the promise: East shows no comment of its own
    assert QUINN_SAYS in shown, "the attack is sound"
    # The officers take out their own comments; what East shows beside them is Quinn's.
    left = [text for text in shown if text not in {said_by(p) for p in officers}]
    # The promise: no comment is told to be one person's.
    assert len(left) >= 10, f"East shows {left!r} beyond the officers' own: Quinn wrote it"


def test_former_hr_beside_an_answered_october_cannot_tell_their_colleagues_comment(
    client, org
) -> None:
    read_quinns_comment(client, org, october_answered=True)


def test_former_hr_of_an_october_nobody_answered_cannot_tell_their_colleagues_comment(
    client, org
) -> None:
    read_quinns_comment(client, org, october_answered=False)
