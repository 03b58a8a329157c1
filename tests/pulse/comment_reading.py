"""Reading a unit's released comments as its pages show them."""

from pulse.comment_pages import comments_page
from pulse.models import ReleasedUnit


def every_comment(released: ReleasedUnit) -> list[str]:
    """All of a unit's released comments, page after page, in the order its pages show them."""
    texts: list[str] = []
    start: int | None = 0
    while start is not None:
        page = comments_page(released, start)
        texts.extend(page.texts)
        start = page.next_from
    return texts
