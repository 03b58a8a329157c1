"""An organisation to survey: Ada runs it; Grace's Platform team is big, Linus's Design is tiny."""

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from surveys.models import Cadence
from teams.models import Person, Team
from teams.team_tree import sync_teams


@dataclass
class Org:
    ada: Person
    grace: Person
    linus: Person
    staff: list[Person]
    platform: list[Person]
    design: list[Person]

    @property
    def everyone(self) -> list[Person]:
        return [self.ada, self.grace, self.linus, *self.staff, *self.platform, *self.design]


def make_person(employee_id: str, name: str, manager: Person | None = None) -> Person:
    return Person.objects.create(
        employee_id=employee_id,
        email=f"{name.lower().replace(' ', '.')}@example.com",
        name=name,
        manager=manager,
    )


@pytest.fixture
def org(db) -> Org:
    ada = make_person("e1", "Ada Lovelace")
    grace = make_person("e2", "Grace Hopper", ada)
    linus = make_person("e3", "Linus Torvalds", ada)
    staff = [make_person(f"x{i}", f"Staff Member{i}", ada) for i in range(3)]
    platform = [make_person(f"p{i}", f"Platform Engineer{i}", grace) for i in range(6)]
    design = [make_person(f"d{i}", f"Designer Number{i}", linus) for i in range(2)]
    sync_teams(team_names={"e1": "Company", "e2": "Platform", "e3": "Design"})
    return Org(ada=ada, grace=grace, linus=linus, staff=staff, platform=platform, design=design)


def team_of(person: Person) -> Team:
    return Team.objects.get(manager=person)


NOV_1_2026_0900_LONDON = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)  # London is on GMT then


@pytest.fixture
def monthly(org: Org) -> Cadence:
    cadence = Cadence.objects.create(
        name="Monthly pulse",
        kind="monthly",
        day_of_month=1,
        send_hour=9,
        time_zone="Europe/London",
    )
    Cadence.objects.filter(pk=cadence.pk).update(created_at=datetime(2026, 1, 1, tzinfo=UTC))
    cadence.refresh_from_db()
    return cadence
