"""The team tree as a reader sees it: top-down order, depth and the full path of each team.

Computed in Python from one query over (id, name, parent), so a page listing teams costs the same
number of queries for ten teams as for ten thousand.
"""

from dataclasses import dataclass

from teams.models import Team
from teams.tree_walks import IdTree

PATH_SEPARATOR = " › "


@dataclass(frozen=True)
class TeamPlace:
    """Where a team sits in the tree."""

    position: int  # index in top-down reading order: a parent, then its children by name
    depth: int  # 0 for a root team
    path: tuple[str, ...]  # names from the root down to this team

    @property
    def path_label(self) -> str:
        return PATH_SEPARATOR.join(self.path)


def team_outline() -> dict[int, TeamPlace]:
    """Every team's place in the tree, keyed by team id."""
    names: dict[int, str] = {}
    parents: dict[int, int | None] = {}
    for team_id, name, parent_id in Team.objects.values_list("id", "name", "parent_id"):
        names[team_id] = name
        parents[team_id] = parent_id
    # A parent outside the table (mid-way through a sync) makes the team a root for now.
    tree = IdTree(parents, sibling_key=lambda team_id: (names[team_id].casefold(), team_id))
    paths: dict[int, tuple[str, ...]] = {}
    outline: dict[int, TeamPlace] = {}
    for position, (team_id, depth) in enumerate(tree.top_down_with_depth()):
        above_id = parents[team_id]
        above = paths[above_id] if depth and above_id is not None else ()
        paths[team_id] = (*above, names[team_id])
        outline[team_id] = TeamPlace(position=position, depth=depth, path=paths[team_id])
    return outline
