"""Walks over a tree of ids given as node → parent: the one implementation behind the walks over
teams, a cycle's snapshot and its reporting units.

A node whose parent is None, or not among the nodes, is a root: a subset of a tree (the teams
under a cadence's population, a snapshot) is a forest of its own. Reporting lines are kept
acyclic, but a loop must never hang a page or a launch: a walk that has not reached a node from
a root starts again from it, as if it were a root.
"""

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping

from django.utils.functional import cached_property


class IdTree:
    def __init__(
        self,
        parent_of: Mapping[int, int | None],
        *,
        sibling_key: Callable[[int], tuple[str, int]] | None = None,
    ) -> None:
        """`sibling_key`, if given, orders roots and each node's children; else insertion order."""
        self.parent_of = dict(parent_of)
        self.children: dict[int, list[int]] = defaultdict(list)
        self.roots: list[int] = []
        for node, parent in self.parent_of.items():
            if parent is not None and parent in self.parent_of:
                self.children[parent].append(node)
            else:
                self.roots.append(node)
        self.sibling_key = sibling_key
        if sibling_key:
            self.roots.sort(key=sibling_key)
            for siblings in self.children.values():
                siblings.sort(key=sibling_key)

    def children_of(self, node: int) -> list[int]:
        return self.children.get(node, [])

    def _walk(self, start: list[int]) -> Iterator[tuple[int, int]]:
        """(node, depth below its walk's start), depth first, parents before children."""
        seen: set[int] = set()
        for origin in start:
            stack = [(origin, 0)]
            while stack:
                node, depth = stack.pop()
                if node in seen:
                    continue
                seen.add(node)
                yield node, depth
                stack.extend((child, depth + 1) for child in reversed(self.children_of(node)))

    @cached_property
    def _walked(self) -> list[tuple[int, int]]:
        walked = list(self._walk(self.roots))
        reached = {node for node, _ in walked}
        loose = [node for node in self.parent_of if node not in reached]
        if loose:
            if self.sibling_key:
                loose.sort(key=self.sibling_key)
            walked.extend((node, depth) for node, depth in self._walk(loose) if node not in reached)
        return walked

    def top_down_with_depth(self) -> list[tuple[int, int]]:
        """(node, depth) for every node once: a parent, then each child's whole subtree in
        sibling order. Depth is 0 for a root."""
        return list(self._walked)

    def top_down(self) -> list[int]:
        return [node for node, _ in self._walked]

    def bottom_up(self) -> list[int]:
        """Every node once, after all of its descendants."""
        return list(reversed(self.top_down()))

    def levels(self) -> list[list[int]]:
        """The roots, then their children, then theirs, and so on."""
        levels: list[list[int]] = []
        for node, depth in self._walked:
            while depth >= len(levels):
                levels.append([])
            levels[depth].append(node)
        return levels

    def subtree(self, node: int) -> list[int]:
        """`node` and every node below it, parents before children."""
        return [descendant for descendant, _ in self._walk([node])]

    def ancestors(self, node: int) -> list[int]:
        """The parent of `node`, its parent, and so on up to a root (a loop ends the list)."""
        found: list[int] = []
        current = self.parent_of.get(node)
        while current is not None and current in self.parent_of and current not in found:
            if current == node:
                break
            found.append(current)
            current = self.parent_of.get(current)
        return found
