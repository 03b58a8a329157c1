"""Reads of the org chart: membership, eligible counts, subtrees."""

from collections import Counter
from dataclasses import dataclass

from teams.models import Person, Team
from teams.tree_walks import IdTree


def member_team_ids() -> dict[int, int]:
    """Map each active person's id to the id of the team they belong to.

    A person belongs to the team their manager leads; the top person (no manager) belongs to the
    root team they lead themselves. People without a team (a lone person) are left out.
    """
    team_by_leader = dict(Team.objects.values_list("manager_id", "id"))
    membership = {}
    for person_id, manager_id in Person.objects.filter(active=True).values_list("id", "manager_id"):
        leader = manager_id if manager_id is not None else person_id
        team_id = team_by_leader.get(leader)
        if team_id is not None:
            membership[person_id] = team_id
    return membership


def eligible_counts() -> dict[int, int]:
    """Active members per team id (teams with no members are absent)."""
    return dict(Counter(member_team_ids().values()))


def team_members(team: Team) -> list[Person]:
    """The active people who belong to `team`."""
    members = list(Person.objects.filter(active=True, manager_id=team.manager_id))
    if team.manager.manager_id is None and team.manager.active:
        members.append(team.manager)
    return members


def subtree_team_ids(team_id: int) -> list[int]:
    """`team_id` and every team below it, parents before children."""
    return IdTree(dict(Team.objects.values_list("id", "parent_id"))).subtree(team_id)


@dataclass(frozen=True)
class TeamAbove:
    team_id: int
    manager_user_id: int | None


# Far deeper than any organisation: only a loop in the reporting lines would walk this far.
MAX_TEAM_DEPTH = 1000


def teams_up_from(team_id: int) -> list[TeamAbove]:
    """The team and the teams above it in today's org chart, nearest first: one query a level,
    never the whole chart."""
    found: list[TeamAbove] = []
    current: int | None = team_id
    while current is not None and len(found) < MAX_TEAM_DEPTH:
        row = Team.objects.filter(pk=current).values_list("parent_id", "manager__user_id").first()
        if row is None or any(team.team_id == current for team in found):
            break
        found.append(TeamAbove(team_id=current, manager_user_id=row[1]))
        current = row[0]
    return found
