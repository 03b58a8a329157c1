"""The tree outline reads top-down, and a reporting loop can never hang the team list."""

import pytest

from teams.models import Person, Team
from teams.tree_outline import team_outline

pytestmark = pytest.mark.django_db


def leader(name: str) -> Person:
    return Person.objects.create(employee_id=name, email=f"{name}@example.com", name=name)


def test_children_follow_their_parent_in_alphabetical_order() -> None:
    company = Team.objects.create(name="Company", manager=leader("Ada"))
    sales = Team.objects.create(name="Sales", parent=company, manager=leader("Grace"))
    data = Team.objects.create(name="Data", parent=company, manager=leader("Linus"))
    outline = team_outline()
    order = sorted(outline, key=lambda team_id: outline[team_id].position)
    assert order == [company.pk, data.pk, sales.pk]
    assert outline[sales.pk].path_label == "Company › Sales"
    assert outline[sales.pk].depth == 1


def test_two_teams_that_name_each_other_as_parent_are_still_listed() -> None:
    first = Team.objects.create(name="First", manager=leader("Ada"))
    second = Team.objects.create(name="Second", parent=first, manager=leader("Grace"))
    Team.objects.filter(pk=first.pk).update(parent=second)
    outline = team_outline()
    assert set(outline) == {first.pk, second.pk}
    assert outline[first.pk].path_label == "First"
    assert outline[second.pk].path_label == "First › Second"
