"""A released company of two departments, for the tests of pages and API lists at two sizes:
everyone answered, the cycle closed and released; every team has a CSAT figure for the month
and has chosen a focus with one commitment. Nadia is HR, Hana heads Department 1, Lee leads
Team 1.3; each has a signed-in client."""

import random

from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from customers.models import Metric, MetricValue
from pulse.models import Response
from pulse.release import release_cycle
from surveys.closing import close_cycle
from surveys.launch import launch_now
from surveys.models import Cadence, Commitment, Cycle, CycleTeam, Focus
from teams.models import Person, Team
from teams.team_tree import sync_teams
from tests.org_builder import build_org, grown_outline
from tests.support.hr_logins import outside_hr_login


def released_company(teams_per_department: int) -> dict:
    """A fresh company of two departments, everyone answered, closed and released."""
    Cycle.objects.all().delete()
    Person.objects.all().delete()
    User.objects.all().delete()
    sync_teams()
    org = build_org(grown_outline(departments=2, teams_per_department=teams_per_department))
    # One more person in Department 1, so that the two departments are never the same size:
    # the company's own people are too few, and which department is hidden to protect them
    # would otherwise fall to the ids the database hands out, which differ from run to run.
    Person.objects.create(
        employee_id="analyst-1",
        email="analyst-1@example.com",
        name="Analyst 1",
        manager=org["Head 1"],
    )
    sync_teams()
    logins = {}
    for name, person in (("hana", org["Head 1"]), ("lee", org["Lead 1.3"])):
        person.user = User.objects.create_user(person.email, person.email, "pw")
        person.save()
        logins[name] = person.user
    logins["nadia"] = outside_hr_login("nadia@example.com")
    cycle = launch_now(
        cadence=Cadence.objects.create(name="Monthly pulse", kind="monthly"), now=timezone.now()
    )
    rng = random.Random(teams_per_department)
    keys = list(cycle.items.values_list("key", flat=True))
    Response.objects.bulk_create(
        Response(
            cycle=cycle,
            reporting_unit_id=unit_id,
            answers={key: rng.randint(1, 7) for key in keys},
            enps=rng.randint(0, 10),
        )
        for unit_id in cycle.invitations.values_list("reporting_unit_id", flat=True)
    )
    close_cycle(cycle_id=cycle.pk)
    assert release_cycle(cycle_id=cycle.pk)
    customer_figures_and_focuses(cycle, rng)
    clients = {}
    for name, user in logins.items():
        clients[name] = Client()
        clients[name].force_login(user)
    return {"cycle": cycle, "clients": clients, "team": team_ids(cycle)}


def customer_figures_and_focuses(cycle: Cycle, rng: random.Random) -> None:
    Metric.objects.all().delete()
    csat = Metric.objects.create(key="csat", name="CSAT", unit="percent")
    teams = list(Team.objects.order_by("name"))
    MetricValue.objects.bulk_create(
        MetricValue(metric=csat, team=team, period=cycle.period, value=rng.uniform(60, 95))
        for team in teams
    )
    # Every team, so that each page of a list reads the same things at both sizes.
    for team in teams:
        focus = Focus.objects.create(team=team, cycle=cycle, domain="conversation")
        Commitment.objects.create(focus=focus, position=1, text="Ask the quietest first")


def team_ids(cycle: Cycle) -> dict[str, int]:
    return dict(CycleTeam.objects.filter(cycle=cycle).values_list("name", "team_id"))
