"""A unit's pages show each of its comments exactly once, in an order of the unit's own."""

import uuid

import pytest

from pulse.comment_order import shown_position


@pytest.mark.parametrize("count", [*range(1, 70), 255, 256, 257, 1000, 4097])
def test_every_comment_of_a_slice_is_shown_exactly_once(count: int) -> None:
    key = uuid.uuid4().bytes
    shown = [shown_position(index, count=count, key=key) for index in range(count)]
    assert sorted(shown) == list(range(count))


def test_the_order_is_the_same_on_every_visit_and_another_units_is_its_own() -> None:
    key, other_key = uuid.uuid4().bytes, uuid.uuid4().bytes
    order = [shown_position(index, count=60, key=key) for index in range(60)]
    assert order == [shown_position(index, count=60, key=key) for index in range(60)]
    assert order != [shown_position(index, count=60, key=other_key) for index in range(60)]
    assert order != list(range(60))  # not the stored order


def test_a_comment_past_the_slice_is_no_comment() -> None:
    with pytest.raises(IndexError):
        shown_position(10, count=10, key=uuid.uuid4().bytes)
