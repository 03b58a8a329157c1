"""Two cycles read from the database are counted there: their invitations are joined by the
database (surveys.selectors.people_between_cycles), not held person by person, and every pair
of cells counts the same people as when both cycles' cells are held (TwoCycles.of on held
cells, as the property tests of the comparison build them)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from surveys.launch import launch_now
from surveys.models import Cadence
from surveys.selectors import (
    InvitedCells,
    TwoCycles,
    cells_of_people,
    invited_cells,
    readers_of_every_cycle,
)
from teams.models import Person
from teams.team_tree import sync_teams
from tests.org_builder import build_org

pytestmark = pytest.mark.django_db


def held(cells: InvitedCells, cycle_id: int) -> InvitedCells:
    return InvitedCells(
        parent_of=cells.parent_of, cell_of_person=cells_of_people(cycle_id), readers=cells.readers
    )


def test_a_leaver_a_joiner_a_mover_and_the_readers_are_counted_where_they_were_invited() -> None:
    org = build_org(
        """
        Ada Lovelace (Company)
          2 staff
          Ben Carter (North)
            6 alphas
          Cleo Turner (East)
            6 gammas
        """
    )
    now = timezone.now()
    october = launch_now(cadence=Cadence.objects.create(name="October", kind="monthly"), now=now)
    leaver, mover = org["Alpha 1"], org["Gamma 1"]
    Person.objects.filter(pk=leaver.pk).update(active=False)
    Person.objects.filter(pk=mover.pk).update(manager=org["Ben Carter"])
    joiner = Person.objects.create(
        employee_id="joiner", email="joiner@example.com", name="Jo Iner", manager=org["Cleo Turner"]
    )
    sync_teams()
    november = launch_now(
        cadence=Cadence.objects.create(name="November", kind="monthly"),
        now=now + timedelta(days=31),
    )
    readers = readers_of_every_cycle()
    later, earlier = (
        invited_cells(november.pk, readers=readers),
        invited_cells(october.pk, readers=readers),
    )

    counted = TwoCycles.of(later, earlier).people

    assert counted == TwoCycles.of(held(later, november.pk), held(earlier, october.pk)).people
    # Neither cycle's people were read one by one.
    assert "_cells" not in vars(later.cell_of_person)
    assert "_cells" not in vars(earlier.cell_of_person)
    cells_then, cells_now = cells_of_people(october.pk), cells_of_people(november.pk)
    assert counted[(cells_then[leaver.pk], None, False)] == 1
    assert counted[(None, cells_now[joiner.pk], False)] == 1
    assert cells_then[mover.pk] != cells_now[mover.pk]
    assert counted[(cells_then[mover.pk], cells_now[mover.pk], False)] >= 1
    ada = org["Ada Lovelace"]
    assert counted[(cells_then[ada.pk], cells_now[ada.pk], True)] >= 1
    assert sum(counted.values()) == len(cells_then.keys() | cells_now.keys())
    assert sum(n for (_, _, reads), n in counted.items() if reads) == len(
        readers & (cells_then.keys() | cells_now.keys())
    )
