"""The team tree as a reader sees it: top-down order, depth and the full path of each team.

Computed in Python from one query over (id, name, parent), so a page listing teams costs the same
number of queries for ten teams as for ten thousand.
"""

from collections import defaultdict
from dataclasses import dataclass

from teams.models import Team

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
    for row_id, name, row_parent_id in Team.objects.values_list("id", "name", "parent_id"):
        names[row_id] = name
        parents[row_id] = row_parent_id

    children: dict[int | None, list[int]] = defaultdict(list)
    for child_id, parent_id in parents.items():
        # A parent outside the table (mid-way through a sync) makes the team a root for now.
        children[parent_id if parent_id in names else None].append(child_id)
    for siblings in children.values():
        siblings.sort(key=lambda team_id: (names[team_id].casefold(), team_id))

    outline: dict[int, TeamPlace] = {}

    def visit(roots: list[int]) -> None:
        stack: list[tuple[int, int, tuple[str, ...]]] = [
            (team_id, 0, (names[team_id],)) for team_id in reversed(roots)
        ]
        while stack:
            team_id, depth, path = stack.pop()
            if team_id in outline:
                continue
            outline[team_id] = TeamPlace(position=len(outline), depth=depth, path=path)
            stack.extend(
                (child_id, depth + 1, (*path, names[child_id]))
                for child_id in reversed(children.get(team_id, []))
            )

    visit(children.get(None, []))
    # Reporting lines are kept acyclic, but a loop must never hang a page: list any team that
    # was not reached from a root at the end, as a root of its own.
    unreached = sorted(set(names) - set(outline), key=lambda team_id: names[team_id].casefold())
    for team_id in unreached:
        visit([team_id])
    return outline
