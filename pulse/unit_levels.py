"""HR's organisation-wide pages (heatmap, participation) one level of the tree at a time.

A page opens one unit (the top unit unless the address names another) and lists a page of the
units right below it, each of which opens in turn: the page has the same size and the same
queries whatever the size of the organisation. Every row is a released unit the viewer may see
(pulse.results.unit_page decides that, as on the dashboard), shown with its reasons as stored.
"""

from dataclasses import dataclass

from pulse.access import User
from pulse.release_models import ReleasedUnit
from pulse.results import UnitPage, UnitResult, counted_here_of, unit_page
from surveys.models import Cycle, CycleTeam


@dataclass
class LevelRow:
    unit: UnitResult
    opens: bool  # it has units below, so the row links to the level below it


@dataclass
class UnitLevel:
    page: UnitPage
    opened: UnitResult
    rows: list[LevelRow]
    above: CycleTeam | None  # the unit above the opened one, when the viewer may see it


def unit_level(
    user: User, cycle: Cycle, unit_id: int | None, *, page: int = 1, search: str = ""
) -> UnitLevel | None:
    """The unit `unit_id` (None: the viewer's first) and a page of the units right below it, or
    with `search`, of the units anywhere below it that match; None outside the viewer's scope."""
    found = unit_page(user, cycle, unit_id, page=page, search=search)
    if found is None:
        return None
    shown = [child.released.unit_id for child in found.children]
    # Bounded by the page: at most UNITS_PER_PAGE ids, whatever the size of the organisation.
    opening = set(
        ReleasedUnit.objects.filter(cycle=cycle, parent_unit_id__in=shown)
        .values_list("parent_unit_id", flat=True)
        .distinct()
    )
    counted_here = counted_here_of(cycle, shown)
    rows = []
    for child in found.children:
        child.depth = 1
        if (counted := counted_here.get(child.released.unit_id)) is not None:
            child.counted_here, child.counted_here_total = counted.first_names, counted.total
        rows.append(LevelRow(unit=child, opens=child.released.unit_id in opening))
    above = CycleTeam.objects.filter(pk=found.parent_id).first() if found.parent_id else None
    return UnitLevel(page=found, opened=found.selected, rows=rows, above=above)
