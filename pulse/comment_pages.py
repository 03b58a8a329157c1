"""A unit's released comments, fifty to a page, in the unit's own random order.

A page names its comments by position (pulse.comment_order), so it reads its fifty rows from
the (cycle, position) index and no others: the same cost at the top of the organisation as at
a small team, and on the last page as on the first.
"""

from dataclasses import dataclass

from pulse.comment_order import shown_position
from pulse.release_models import ReleasedComment, ReleasedUnit

COMMENTS_PER_PAGE = 50


@dataclass(frozen=True)
class CommentsPage:
    texts: list[str]
    # How many comments come before the next page, None on the last page.
    next_from: int | None


def comments_page(released: ReleasedUnit, start: int = 0) -> CommentsPage:
    """The page of a unit's released comments that starts after `start` comments shown."""
    count = released.comments_count if released.comments_released else 0
    shown = range(start, min(start + COMMENTS_PER_PAGE, count))
    key = released.comments_shuffle_key.bytes
    positions = [
        released.comments_from + shown_position(index, count=count, key=key) for index in shown
    ]
    text_at = dict(
        ReleasedComment.objects.filter(
            cycle_id=released.cycle_id, position__in=positions
        ).values_list("position", "text")
    )
    return CommentsPage(
        texts=[text_at[position] for position in positions],
        next_from=shown.stop if shown and shown.stop < count else None,
    )
