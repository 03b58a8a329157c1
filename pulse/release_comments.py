"""A release's comments: copied to every unit whose comments are released, each unit's copies
in a fresh random order (their random keys give the pages their order, pulse.results)."""

import secrets
import uuid

from common.batch_writer import BatchWriter
from pulse.release_inputs import comments_by_unit
from pulse.release_models import ReleasedComment
from teams.tree_walks import IdTree


def write_comments(cycle_id: int, tree: IdTree, release_of: dict[int, uuid.UUID]) -> None:
    """A copy of every comment of its subtree for each unit whose comments are released
    (`release_of`: unit id → its ReleasedUnit's id), each unit's copies in a fresh random order.

    The comments are laid out in the tree's depth-first order, where every subtree is one
    slice: a unit's comments are read off without walking its descendants."""
    own_comments = comments_by_unit(cycle_id)
    texts: list[str] = []
    start: dict[int, int] = {}
    for unit_id in tree.top_down():
        start[unit_id] = len(texts)
        texts.extend(own_comments.get(unit_id, ()))
    size: dict[int, int] = {}
    for unit_id in tree.bottom_up():
        size[unit_id] = len(own_comments.get(unit_id, ())) + sum(
            size.get(child, 0) for child in tree.children_of(unit_id)
        )
    writer = BatchWriter(ReleasedComment)
    shuffler = secrets.SystemRandom()
    for unit_id, release_id in release_of.items():
        shown = texts[start[unit_id] : start[unit_id] + size[unit_id]]
        shuffler.shuffle(shown)
        for text in shown:
            writer.add(ReleasedComment(released_unit_id=release_id, text=text))
    writer.flush()
