"""HR's follow-through list: for one released cycle, every unit HR may read, weakest first, with
the focus its manager chose after it, how many commitments are done, the follow-through score
the team gave in the next release, and how the focus domain moved since.

The database orders, filters and searches the units (follow_through_units), so HR's page and
the API read one page of them; the rows are then made for those units alone
(follow_through_rows), in a constant number of queries whatever the size of the organisation:
the later releases are found through the trend links (which already apply the membership rule
of DESIGN §4.9), and the follow-through figures through the snapshot's link from a team to the
focus it was shown. HR's CSV holds every matching unit, made the same way a batch at a time
(csv_lines), so it never holds the whole organisation either.
"""

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice

from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, When
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone

from common.csv_export import cell
from pulse.access import User, releases_in_scope
from pulse.loop import change_sentence, follow_through_of
from pulse.release_models import ReleasedUnit, ReleaseStatus
from pulse.results import UnitResult, step_of, unit_result
from pulse.templatetags.figures import shown
from pulse.unit_links import unit_query
from surveys.focus_selectors import FocusView, focuses_after
from surveys.models import Cycle, Focus
from surveys.selectors import cycles_read_as_hr


@dataclass(frozen=True)
class FollowThroughRow:
    unit_id: int
    name: str
    index: int | None
    index_step: int  # of the unit's release: a coarse index is shown as its range
    reason: str  # why the unit's figures are hidden, when they are
    focus: FocusView | None
    follow_through: int | None
    follow_through_step: int  # of the later release it is from
    follow_through_period: str
    change: str  # of the focus domain since the focus was set, in words
    unit_query: str  # how a dashboard link addresses the unit: by its team (pulse.unit_links)
    manager_name: str = ""  # in the cycle's snapshot: a search finds a unit by it too

    @property
    def commitments_done(self) -> str:
        if self.focus is None:
            return ""
        return f"{self.focus.done_count} of {len(self.focus.commitments)}"


@dataclass(frozen=True)
class Filters:
    below: int | None = None  # only units whose index is below this
    without_focus_after_days: int | None = None  # only units with no focus this long after
    search: str = ""  # only units whose name, or whose manager's name, contains this


def released_on(cycle: Cycle) -> datetime:
    """When the results went out: announced to managers, or failing that, the close."""
    return cycle.results_announced_at or cycle.closed_at or cycle.closes_at


def later_releases(released: list[ReleasedUnit], readable: set[int]) -> dict[int, ReleasedUnit]:
    """Unit id in this cycle → the latest later release of the same team that a trend may be
    drawn from, among the `readable` cycles."""
    links = ReleasedUnit.trend_from.through.objects.filter(
        to_releasedunit_id__in=[r.pk for r in released]
    ).select_related("from_releasedunit__cycle")
    by_earlier = {r.pk: r.unit_id for r in released}
    latest: dict[int, ReleasedUnit] = {}
    for link in links:
        later = link.from_releasedunit
        if later.cycle_id not in readable:
            continue
        unit_id = by_earlier[link.to_releasedunit_id]
        if unit_id not in latest or later.cycle.closes_at > latest[unit_id].cycle.closes_at:
            latest[unit_id] = later
    return latest


def follow_through_releases(
    focuses: list[FocusView], readable: set[int]
) -> dict[int, ReleasedUnit]:
    """Focus id → the first release of its team from a `readable` cycle that asked about it."""
    team_of = {focus.id: focus.team_id for focus in focuses}
    found: dict[int, ReleasedUnit] = {}
    releases = (
        ReleasedUnit.objects.filter(unit__focus_id__in=team_of)
        .select_related("unit", "cycle")
        .order_by("cycle__closes_at")
    )
    for release in releases:
        focus_id = release.unit.focus_id
        if focus_id is None or release.cycle_id not in readable:
            continue
        if release.unit.team_id == team_of[focus_id] and focus_id not in found:
            found[focus_id] = release
    return found


def follow_through_units(
    user: User, cycle: Cycle, filters: Filters, now: datetime | None = None
) -> QuerySet[ReleasedUnit]:
    """The released units of the list, in its order: lowest index first, units without one
    (hidden, or a domain hidden) last, then by name; the unit id keeps equal names apart, so
    pages never lose or repeat a unit."""
    # The index the list shows: a released unit's, never a hidden one's.
    shown_index = Case(
        When(status=ReleaseStatus.RELEASED, then=Cast(KT("figures__index"), IntegerField())),
        default=None,
        output_field=IntegerField(),
    )
    units = (
        releases_in_scope(user, cycle.pk)
        .select_related("unit", "unit__answers_counted_in")
        .annotate(shown_index=shown_index)
        .order_by(F("shown_index").asc(nulls_last=True), "unit__name", "unit_id")
    )
    if filters.below is not None:
        units = units.filter(shown_index__lt=filters.below)
    if filters.without_focus_after_days is not None:
        waited = ((now or timezone.now()) - released_on(cycle)).days
        if waited < filters.without_focus_after_days:
            return units.none()
        chosen = Focus.objects.filter(cycle=cycle, team_id=OuterRef("unit__team_id"))
        units = units.exclude(Exists(chosen))
    if filters.search:
        units = units.filter(
            Q(unit__name__icontains=filters.search)
            | Q(unit__manager_name__icontains=filters.search)
        )
    return units


def follow_through_rows(
    user: User, cycle: Cycle, released: list[ReleasedUnit]
) -> list[FollowThroughRow]:
    """The rows of these units (from follow_through_units), in their order."""
    team_ids = {r.unit.team_id for r in released if r.unit.team_id is not None}
    focuses = focuses_after(cycle.pk, team_ids)
    # The cycles this HR login reads: later figures come only from those.
    readable = set(cycles_read_as_hr(user.pk or 0).values_list("cycle_id", flat=True))
    later = later_releases(released, readable)
    asked = follow_through_releases(list(focuses.values()), readable)
    return [row_of(unit_result(r, cycle.k), focuses, later, asked) for r in released]


def row_of(
    unit: UnitResult,
    focuses: dict[int, FocusView],
    later: dict[int, ReleasedUnit],
    asked: dict[int, ReleasedUnit],
) -> FollowThroughRow:
    released = unit.released
    team_id = released.unit.team_id
    focus = focuses.get(team_id) if team_id is not None else None
    score, score_step, period, change = None, 1, "", ""
    if focus is not None:
        if focus.id in asked:
            score, _ = follow_through_of(asked[focus.id], asked[focus.id].cycle.k)
            score_step = step_of(asked[focus.id])
            period = asked[focus.id].cycle.period if score is not None else ""
        before = released.figures.get("domains", {}).get(focus.domain)
        after_release = later.get(released.unit_id)
        after = (
            after_release.figures.get("domains", {}).get(focus.domain) if after_release else None
        )
        if before and after and after_release is not None:
            change = f"{change_sentence(before, after)} (by {after_release.cycle.period})"
    return FollowThroughRow(
        unit_id=released.unit_id,
        name=unit.name,
        index=released.figures.get("index") if unit.is_released else None,
        index_step=unit.step,
        reason=unit.reason
        or ("A domain is hidden, so there is no index" if unit.is_released else ""),
        focus=focus,
        follow_through=score,
        follow_through_step=score_step,
        follow_through_period=period,
        change=change,
        unit_query=unit_query(released.unit),
        manager_name=released.unit.manager_name,
    )


CSV_HEADER = [
    "unit",
    "index",
    "focus",
    "shared",
    "commitments",
    "commitments done",
    "follow-through",
    "follow-through survey",
    "focus domain since",
]


# Units read per batch of HR's CSV: each batch costs the few queries of follow_through_rows,
# and binds at most this many ids per query.
CSV_BATCH = 500


class LineOut:
    """Where csv.writer writes: it hands each line back instead of keeping it."""

    def write(self, line: str) -> str:
        return line


def csv_cells(row: FollowThroughRow) -> list[object]:
    focus = row.focus
    return [
        cell(value)
        for value in [
            row.name,
            shown_or_blank(row.index, row.index_step),
            focus.domain_label if focus else "",
            ("yes" if focus.is_shared else "no") if focus else "",
            " | ".join(f"{c.text} [{c.status}]" for c in focus.commitments) if focus else "",
            focus.done_count if focus else "",
            shown_or_blank(row.follow_through, row.follow_through_step),
            row.follow_through_period,
            row.change,
        ]
    ]


def shown_or_blank(value: int | None, step: int) -> str:
    # As the page shows it: a coarse figure is the range it stands for, not a bare number.
    return "" if value is None else shown(value, step)


def as_csv(rows: Iterable[FollowThroughRow]) -> str:
    """These rows (one page of the API's list) as a CSV with its header."""
    writer = csv.writer(LineOut())
    return writer.writerow(CSV_HEADER) + "".join(writer.writerow(csv_cells(r)) for r in rows)


def csv_lines(user: User, cycle: Cycle, units: QuerySet[ReleasedUnit]) -> Iterator[str]:
    """HR's whole export of these units (follow_through_units), for a streamed response: the
    header, then the rows a batch at a time. The units come through one database cursor,
    CSV_BATCH at a time, so what is held is one batch, however large the organisation."""
    writer = csv.writer(LineOut())
    yield writer.writerow(CSV_HEADER)
    found = units.iterator(chunk_size=CSV_BATCH)
    while batch := list(islice(found, CSV_BATCH)):
        yield "".join(
            writer.writerow(csv_cells(row)) for row in follow_through_rows(user, cycle, batch)
        )
