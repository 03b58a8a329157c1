"""Map every team of a snapshot to its reporting unit ("move-up", see docs/anonymity.md).

Working bottom-up, a team's pool is its own eligible members plus the pools of the child teams
that merged into it; a team whose pool is smaller than k merges into its parent. A team keeps
itself as unit when its pool reaches k; otherwise its unit is the ancestor it merged into.

The root has no parent to merge into. When its pool stays between 1 and k-1 while units exist
below it, it absorbs the smallest of the units bordering its region until its pool reaches k, so
the root's own members are never stored as a unit of fewer than k people. When even the whole
population is below k, there is no valid mapping and the cycle cannot launch.
"""

from dataclasses import dataclass

from teams.tree_walks import IdTree


class PopulationTooSmall(Exception):
    def __init__(self, population: int, k: int) -> None:
        super().__init__(
            f"The population has {population} eligible people, fewer than the minimum group "
            f"size of {k}: no result could ever be shown, so the survey cannot launch."
        )
        self.population = population
        self.k = k


@dataclass(frozen=True)
class SnapshotTeam:
    id: int
    parent_id: int | None
    eligible: int


def assign_reporting_units(teams: list[SnapshotTeam], *, k: int) -> dict[int, int]:
    """team id → reporting unit team id. Roots are teams whose parent is not in `teams`."""
    by_id = {team.id: team for team in teams}
    tree = IdTree({team.id: team.parent_id for team in teams})
    roots = set(tree.roots)

    pool: dict[int, int] = {}
    merged_into_parent: set[int] = set()
    for team_id in tree.bottom_up():
        pool[team_id] = by_id[team_id].eligible + sum(
            pool[child] for child in tree.children_of(team_id) if child in merged_into_parent
        )
        if pool[team_id] < k and team_id not in roots:
            merged_into_parent.add(team_id)

    for root in tree.roots:
        absorb_children_until_root_is_big_enough(root, tree, pool, merged_into_parent, k)

    # Top-down, a parent has its unit before its children: a merged team takes its parent's.
    # Only non-roots merge, so a merged team's parent is always in the snapshot.
    units: dict[int, int] = {}
    for team_id in tree.top_down():
        parent_id = tree.parent_of[team_id]
        if team_id in merged_into_parent and parent_id is not None:
            units[team_id] = units[parent_id]
        else:
            units[team_id] = team_id
    return units


def absorb_children_until_root_is_big_enough(
    root: int,
    tree: IdTree,
    pool: dict[int, int],
    merged_into_parent: set[int],
    k: int,
) -> None:
    """Grow a root whose pool is between 1 and k-1 by merging in the smallest bordering units.

    A bordering unit is a unit reached from the root through merged teams only; once merged,
    its own bordering units become candidates too. A root with nobody in it needs nothing.
    """
    bordering: list[tuple[int, int]] = []

    def walk_region_from(team_id: int) -> None:
        frontier = [team_id]
        while frontier:
            for child in tree.children_of(frontier.pop()):
                if child in merged_into_parent:
                    frontier.append(child)
                else:
                    bordering.append((pool[child], child))

    walk_region_from(root)
    while 0 < pool[root] < k and bordering:
        bordering.sort()
        child_pool, child = bordering.pop(0)
        merged_into_parent.add(child)
        pool[root] += child_pool
        walk_region_from(child)
    if 0 < pool[root] < k:
        raise PopulationTooSmall(pool[root], k)
