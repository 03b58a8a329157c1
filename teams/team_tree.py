"""Derive the team tree from reporting lines.

Teams are not edited by hand: they follow from who reports to whom. After people change (an
import, the admin), `sync_teams` makes the Team rows match the active people in a handful of
bulk queries, whatever the size of the organisation.
"""

from dataclasses import dataclass

from django.db import transaction

from common.bulk_rows import insert_rows, reserve_ids, update_rows
from teams.models import Person, Team
from teams.tree_walks import IdTree

# Teams removed per statement: a statement binds at most this many ids, whatever the size of
# the organisation (SQLite refuses a statement with more than 250,000 parameters).
DELETE_BATCH = 500


# Rows per round trip when the people and teams are streamed.
STREAM_CHUNK = 5000


@dataclass(frozen=True, slots=True)
class TeamRow:
    """A team as it is before the sync: a model instance per team would hold far more."""

    pk: int
    name: str
    parent_id: int | None


def default_team_name(manager_name: str) -> str:
    return f"{manager_name}'s team"


@transaction.atomic
def sync_teams(*, team_names: dict[str, str] | None = None) -> None:
    """Create, rename, re-parent and remove teams so they follow the active reporting lines.

    `team_names` maps a leader's employee_id to the name their team should carry; leaders not in
    it keep their team's current name, or get a default one.
    """
    team_names = team_names or {}
    # Everyone's manager, streamed; names only for the leaders, whose teams carry them: at a
    # million people, every name and employee id held at once is most of an import's memory.
    manager_of = dict(
        Person.objects.filter(active=True)
        .values_list("id", "manager_id")
        .iterator(chunk_size=STREAM_CHUNK)
    )
    leaders = {
        manager_id
        for person_id, manager_id in manager_of.items()
        if manager_id in manager_of and manager_id != person_id
    }
    leader_names = {
        person_id: (name, employee_id)
        for person_id, name, employee_id in Person.objects.filter(active=True)
        .values_list("id", "name", "employee_id")
        .iterator(chunk_size=STREAM_CHUNK)
        if person_id in leaders
    }
    teams_by_leader = {
        manager_id: TeamRow(pk, name, parent_id)
        for pk, manager_id, name, parent_id in Team.objects.values_list(
            "id", "manager_id", "name", "parent_id"
        ).iterator(chunk_size=STREAM_CHUNK)
    }

    # Teams whose leader no longer leads anyone, by id and in batches: excluding the leaders
    # instead would bind one parameter per leader in a single statement.
    gone = [team.pk for leader_id, team in teams_by_leader.items() if leader_id not in leaders]
    for start in range(0, len(gone), DELETE_BATCH):
        Team.objects.filter(pk__in=gone[start : start + DELETE_BATCH]).delete()
    # The team a leader's team hangs under: the team their own manager leads, if any.
    parent_leader = {
        leader_id: manager_of[leader_id] if manager_of[leader_id] in leaders else None
        for leader_id in leaders
    }
    team_ids = {
        leader_id: team.pk for leader_id, team in teams_by_leader.items() if leader_id in leaders
    }
    # New teams get their ids first, so each row goes in with its parent already set (plain
    # rows, parents first): no second pass that re-parents every team of a first import.
    new_leaders = [
        leader_id
        for level in IdTree(parent_leader).levels()
        for leader_id in level
        if leader_id not in team_ids
    ]
    team_ids.update(zip(new_leaders, reserve_ids(Team, len(new_leaders)), strict=True))
    insert_rows(
        Team,
        ["id", "manager", "name", "parent"],
        (
            (
                team_ids[leader_id],
                leader_id,
                team_names.get(leader_names[leader_id][1])
                or default_team_name(leader_names[leader_id][0]),
                team_ids[parent] if (parent := parent_leader[leader_id]) is not None else None,
            )
            for leader_id in new_leaders
        ),
    )

    # Teams that were there before: renamed when the file names them anew, re-parented when
    # their leader's manager changed.
    renamed = []
    reparented = []
    for leader_id, team in teams_by_leader.items():
        if leader_id not in leaders:
            continue
        wanted_name = team_names.get(leader_names[leader_id][1])
        if wanted_name and team.name != wanted_name:
            renamed.append((team.pk, wanted_name))
        wanted_parent = team_ids.get(parent_leader[leader_id] or 0)
        if team.parent_id != wanted_parent:
            reparented.append((team.pk, wanted_parent))
    update_rows(Team, ["name"], renamed)
    update_rows(Team, ["parent"], reparented)
