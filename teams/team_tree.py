"""Derive the team tree from reporting lines.

Teams are not edited by hand: they follow from who reports to whom. After people change (an
import, the admin), `sync_teams` makes the Team rows match the active people in a handful of
bulk queries, whatever the size of the organisation.
"""

from django.db import transaction

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
    team_ids = {leader_id: team.pk for leader_id, team in teams_by_leader.items()}
    renamed = []
    # New teams are created level by level from the top, each with its parent already in
    # place: no second pass that re-parents every team of a first import.
    for level in IdTree(parent_leader).levels():
        new_teams = []
        for leader_id in level:
            _, leader_name, employee_id = people[leader_id]
            wanted_name = team_names.get(employee_id)
            team = teams_by_leader.get(leader_id)
            if team is None:
                parent = parent_leader[leader_id]
                new_teams.append(
                    Team(
                        manager_id=leader_id,
                        name=wanted_name or default_team_name(leader_name),
                        # A loop in the reporting lines (never from an import) leaves a
                        # parent unknown here; the pass below sets it.
                        parent_id=team_ids.get(parent) if parent is not None else None,
                    )
                )
            elif wanted_name and team.name != wanted_name:
                team.name = wanted_name
                renamed.append(team)
        # bulk_create sets primary keys on PostgreSQL and on SQLite 3.35+.
        Team.objects.bulk_create(new_teams, batch_size=2000)
        team_ids.update((team.manager_id, team.pk) for team in new_teams)
    Team.objects.bulk_update(renamed, ["name"], batch_size=2000)

    # Teams that were there before and now hang elsewhere (or under a team just created).
    reparented = [
        Team(pk=team_id, parent_id=wanted)
        for team_id, leader_id, parent_id in Team.objects.values_list(
            "id", "manager_id", "parent_id"
        )
        if parent_id != (wanted := team_ids.get(parent_leader[leader_id] or 0))
    ]
    Team.objects.bulk_update(reparented, ["parent"], batch_size=2000)
