"""People change through teams.services: the admin and the org import both re-sync the tree,
inside the same transaction as the change."""

import pytest

from teams.models import Person, Team
from teams.services import ReportingLineInvalid, delete_people, save_person
from tests.org_builder import build_org

pytestmark = pytest.mark.django_db

OUTLINE = """
    Ada Lovelace (Company)
      Grace Hopper (Platform)
        3 engineers
      Linus Torvalds (Search)
        2 analysts
"""


def test_moving_a_person_moves_their_team_in_the_tree() -> None:
    org = build_org(OUTLINE)
    grace = org["Grace Hopper"]
    grace.manager = org["Linus Torvalds"]
    save_person(person=grace)
    assert org.team("Platform").parent == org.team("Search")


def test_a_person_who_would_report_to_their_own_report_is_refused_and_nothing_changes() -> None:
    org = build_org(OUTLINE)
    ada = org["Ada Lovelace"]
    ada.manager = org["Engineer 1"]
    with pytest.raises(ReportingLineInvalid, match="cannot go round in a circle"):
        save_person(person=ada)
    assert Person.objects.get(pk=ada.pk).manager is None


def test_a_failed_resync_leaves_the_person_as_they_were(monkeypatch) -> None:
    org = build_org(OUTLINE)
    grace = org["Grace Hopper"]

    def broken_sync(**_: object) -> None:
        raise RuntimeError("the tree could not be synced")

    monkeypatch.setattr("teams.services.sync_teams", broken_sync)
    grace.manager = org["Linus Torvalds"]
    with pytest.raises(RuntimeError):
        save_person(person=grace)
    assert Person.objects.get(pk=grace.pk).manager == org["Ada Lovelace"]


def test_deleting_a_leader_removes_their_team_and_their_reports_join_the_team_above() -> None:
    org = build_org(OUTLINE)
    analysts = [org["Analyst 1"], org["Analyst 2"]]
    Person.objects.filter(pk__in=[a.pk for a in analysts]).update(manager=org["Ada Lovelace"])
    assert delete_people(people=Person.objects.filter(name="Linus Torvalds")) >= 1
    assert not Team.objects.filter(name="Search").exists()
    assert set(Team.objects.values_list("name", flat=True)) == {"Company", "Platform"}


def test_the_org_builder_reads_an_outline_and_a_flat_line_alike() -> None:
    org = build_org("Ada > Grace > [Alan, Barbara]")
    assert [p.name for p in org.reports_of("Grace")] == ["Alan", "Barbara"]
    assert org["Grace"].manager == org["Ada"]
    assert Team.objects.get(manager=org["Grace"]).parent == Team.objects.get(manager=org["Ada"])
