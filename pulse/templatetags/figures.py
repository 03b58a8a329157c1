"""`{{ score|shown:step }}` and `{{ enps|shown_enps:step }}`: a released figure as a page shows
it. In whole points it is the number; in coarse steps (pulse.trends) it is the range the
rounded figure stands for, so that a score rounded to 0 in steps of 100 reads "0 to 49" (with
an en dash), not 0."""

import math

from django import template

register = template.Library()

EN_DASH, MINUS = "\u2013", "\u2212"


def shown_range(value: float | None, step: int, low: int, high: int) -> str:
    if value is None:
        return EN_DASH
    if step <= 1:
        return f"{value:.0f}"
    # release.rounded rounds half up to a multiple of the step, so the figure stands for
    # [v - s/2, v + s/2): in whole points, from the first whole point in it to the last.
    half = step / 2
    bottom = max(low, math.ceil(value - half))
    top = high if value + half > high else math.ceil(value + half) - 1
    if bottom < 0:  # "-50 to 49", with a minus sign, reads better than a dash between signs
        return f"{signed(bottom)} to {signed(top)}"
    return f"{bottom}{EN_DASH}{top}"


def signed(number: int) -> str:
    return f"{MINUS}{-number}" if number < 0 else str(number)


@register.filter
def shown(value: float | None, step: int) -> str:
    """A score, share or index on 0-100."""
    return shown_range(value, int(step or 1), 0, 100)


@register.filter
def shown_enps(value: float | None, step: int) -> str:
    """eNPS on -100 to 100, whose coarse step is twice the scores'."""
    step = int(step or 1)
    return shown_range(value, 2 * step if step > 1 else 1, -100, 100)
