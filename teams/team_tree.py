"""Derive the team tree from reporting lines.

Teams are not edited by hand: they follow from who reports to whom. After people change (an
import, the admin), `sync_teams` makes the Team rows match the active people in a handful of
bulk queries, whatever the size of the organisation.
"""

from django.db import transaction

from common.bulk_rows import insert_rows, reserve_ids
from teams.models import Person, Team
from teams.tree_walks import IdTree

# Teams removed per statement: a statement binds at most this many ids, whatever the size of
# the organisation (SQLite refuses a statement with more than 250,000 parameters).
DELETE_BATCH = 500


def default_team_name(manager_name: str) -> str:
    return f"{manager_name}'s team"


@transaction.atomic
def sync_teams(*, team_names: dict[str, str] | None = None) -> None:
    """Create, rename, re-parent and remove teams so they follow the active reporting lines.

    `team_names` maps a leader's employee_id to the name their team should carry; leaders not in
    it keep their team's current name, or get a default one.
    """
    team_names = team_names or {}
    people = {
        person_id: (manager_id, name, employee_id)
        for person_id, manager_id, name, employee_id in Person.objects.filter(
            active=True
        ).values_list("id", "manager_id", "name", "employee_id")
    }
    leaders = {
        manager_id
        for person_id, (manager_id, _, _) in people.items()
        if manager_id in people and manager_id != person_id
    }
    teams_by_leader = {team.manager_id: team for team in Team.objects.all()}

    # Teams whose leader no longer leads anyone, by id and in batches: excluding the leaders
    # instead would bind one parameter per leader in a single statement.
    gone = [team.pk for leader_id, team in teams_by_leader.items() if leader_id not in leaders]
    for start in range(0, len(gone), DELETE_BATCH):
        Team.objects.filter(pk__in=gone[start : start + DELETE_BATCH]).delete()
    # The team a leader's team hangs under: the team their own manager leads, if any.
    parent_leader = {
        leader_id: people[leader_id][0] if people[leader_id][0] in leaders else None
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
                team_names.get(people[leader_id][2]) or default_team_name(people[leader_id][1]),
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
        wanted_name = team_names.get(people[leader_id][2])
        if wanted_name and team.name != wanted_name:
            team.name = wanted_name
            renamed.append(team)
        wanted_parent = team_ids.get(parent_leader[leader_id] or 0)
        if team.parent_id != wanted_parent:
            team.parent_id = wanted_parent
            reparented.append(team)
    Team.objects.bulk_update(renamed, ["name"], batch_size=2000)
    Team.objects.bulk_update(reparented, ["parent"], batch_size=2000)
