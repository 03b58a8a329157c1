"""A launched survey with emailed links, for the attacks in this folder.

Ada runs the company with three staff; Grace leads Platform (30 engineers), Linus leads Data
(30 analysts), and Margaret leads Design, a team of 2, smaller than k = 5.
"""

import re
from dataclasses import dataclass

import pytest
from django.core import mail
from django.utils import timezone

from surveys.launch import launch_now
from surveys.models import Cadence, Cycle
from surveys.scheduler import run_tick
from teams.models import Person
from teams.team_tree import sync_teams

TOKEN_IN_LINK = re.compile(r"/a/(?:[A-Za-z0-9_\-]{20,}/)?([A-Za-z0-9_\-]{20,})/")


@dataclass
class Survey:
    cycle: Cycle
    links: dict[str, str]  # email → token from the latest email to that address

    def token(self, email: str) -> str:
        return self.links[email]

    def tokens_of(self, people: list[Person]) -> list[str]:
        return [self.links[person.email] for person in people]


def person(employee_id: str, name: str, manager: Person | None = None) -> Person:
    return Person.objects.create(
        employee_id=employee_id, email=f"{employee_id}@example.com", name=name, manager=manager
    )


@pytest.fixture
def company(db) -> dict[str, list[Person]]:
    ada = person("ada", "Ada Lovelace")
    grace = person("grace", "Grace Hopper", ada)
    linus = person("linus", "Linus Torvalds", ada)
    margaret = person("margaret", "Margaret Hamilton", ada)
    staff = [person(f"staff{i}", f"Staff {i}", ada) for i in range(3)]
    platform = [person(f"eng{i}", f"Engineer {i}", grace) for i in range(30)]
    data = [person(f"ana{i}", f"Analyst {i}", linus) for i in range(30)]
    design = [person(f"des{i}", f"Designer {i}", margaret) for i in range(2)]
    sync_teams(
        team_names={"ada": "Company", "grace": "Platform", "linus": "Data", "margaret": "Design"}
    )
    return {
        "leads": [ada, grace, linus, margaret, *staff],
        "platform": platform,
        "data": data,
        "design": design,
        "grace": [grace],
    }


def emailed_links() -> dict[str, str]:
    links = {}
    for message in mail.outbox:
        found = TOKEN_IN_LINK.search(str(message.body))
        if found:
            links[message.to[0]] = found.group(1)
    return links


@pytest.fixture
def survey(company) -> Survey:
    cadence = Cadence.objects.create(name="Monthly pulse", kind="monthly")
    cycle = launch_now(cadence=cadence, now=timezone.now())
    run_tick()
    return Survey(cycle=cycle, links=emailed_links())


def form_answers(
    survey: Survey, values: list[int], enps: int | None = None, comment: str = ""
) -> dict:
    data = {
        f"item_{item.key}": str(value)
        for item, value in zip(survey.cycle.items.all(), values, strict=False)
    }
    if enps is not None:
        data["enps"] = str(enps)
    if comment:
        data["comment"] = comment
    return data
