"""A release's comments: each stored once, at the lowest unit whose comments are released at or
above its writer's reporting unit, laid out so that every such unit's page reads one slice.

The layout follows the tree depth first: a comment-released unit's own comments (its own
unit's and those of the units below it whose comments are not released, shuffled together),
then the slices of the comment-released units below it. So every comment-released unit's
comments, its whole subtree's, are one run of positions, and a page reads fifty of them by
position (pulse.comment_order gives each unit its own order), never the rest. A position
says which unit a comment belongs to and nothing finer: within a unit's own comments the order
is a fresh shuffle.
"""

import secrets
import uuid
from dataclasses import dataclass, field

from common.bulk_rows import insert_rows
from common.random_ids import uuid4s
from pulse.release_inputs import comments_by_unit
from pulse.release_models import ReleasedComment
from teams.tree_walks import IdTree


@dataclass
class CommentLayout:
    # (comment-released unit, its own comments in stored order), in position order.
    blocks: list[tuple[int, list[str]]] = field(default_factory=list)
    # Comment-released unit → (first position, how many) of its subtree's comments.
    slices: dict[int, tuple[int, int]] = field(default_factory=dict)

    def slice_of(self, unit_id: int) -> tuple[int, int]:
        return self.slices.get(unit_id, (0, 0))


def lay_out_comments(cycle_id: int, tree: IdTree, shown_at: set[int]) -> CommentLayout:
    """The positions of the cycle's comments, for the units in `shown_at` (those whose
    comments are released). A comment with no such unit above it is not shown anywhere."""
    comments_of_unit = comments_by_unit(cycle_id)
    order = tree.top_down()
    # Unit → the comment-released unit its comments belong to: itself, or the nearest above.
    belongs_to: dict[int, int | None] = {}
    own: dict[int, list[str]] = {unit_id: [] for unit_id in shown_at}
    for unit_id in order:
        parent = tree.parent_of.get(unit_id)
        home = unit_id if unit_id in shown_at else None
        if home is None and parent is not None:
            home = belongs_to.get(parent)
        belongs_to[unit_id] = home
        if home is not None:
            own[home].extend(comments_of_unit.get(unit_id, ()))
    layout = CommentLayout()
    shuffler = secrets.SystemRandom()
    first: dict[int, int] = {}
    placed = 0
    # Depth first, so the comment-released units below one come right after it.
    for unit_id in order:
        if unit_id in shown_at:
            first[unit_id] = placed
            shuffler.shuffle(own[unit_id])
            layout.blocks.append((unit_id, own[unit_id]))
            placed += len(own[unit_id])
    # Bottom up: a unit's slice holds its own comments and the slices of those below it.
    count = {unit_id: len(texts) for unit_id, texts in layout.blocks}
    for unit_id, _ in reversed(layout.blocks):
        parent = tree.parent_of.get(unit_id)
        above = belongs_to.get(parent) if parent is not None else None
        if above is not None:
            count[above] += count[unit_id]
    layout.slices = {unit_id: (first[unit_id], count[unit_id]) for unit_id in first}
    return layout


def write_comments(cycle_id: int, layout: CommentLayout, release_of: dict[int, uuid.UUID]) -> None:
    """One row per shown comment, belonging to its unit's release (`release_of`: unit id →
    its ReleasedUnit's id), written in position order."""
    in_order = ((unit_id, text) for unit_id, texts in layout.blocks for text in texts)
    ids = uuid4s()
    rows = (
        (next(ids), cycle_id, release_of[unit_id], position, text)
        for position, (unit_id, text) in enumerate(in_order)
    )
    insert_rows(ReleasedComment, ("id", "cycle", "released_unit", "position", "text"), rows)
