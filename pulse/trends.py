"""Across cycles (DESIGN §4.9): which earlier releases a unit's trend may be drawn from, and
which units must show coarser figures because their people changed by only a few.

Two releases of the same team are two averages over overlapping groups. When the groups differ
by 1 to k-1 people, in who was invited or in how many answered, the difference of the two
averages describes those few people, assuming the others answered as before. Hiding every such
unit would hide most teams (a cycle's respondent count moves by a person or two all the time),
so the later release is published coarser instead, in steps wide enough to cover what the few
people could have moved it: over n respondents, k-1 people move a score or a share (0-100) by
up to 100 (k-1) / n points, and eNPS (-100 to 100) by twice that. So the step is the smallest of
10, 20, 25, 50 or 100 points (200 for eNPS) at least that wide: 10 for a unit of 40 or more at
k = 5, 50 for a unit of 8 to 15. A narrower step would be undone by arithmetic: eNPS over 10
people moves in steps of 10, so steps of 10 would show it exactly. A trend is still drawn,
through the coarse figure: both releases are on the pages anyway, so the line adds nothing.
"""

from dataclasses import dataclass

from pulse.release_models import ReleasedUnit, ReleaseStatus
from surveys.models import Cycle
from surveys.selectors import membership_changes

FINE_PRECISION = 1
COARSE_STEPS = (10, 20, 25, 50, 100)


def coarse_step(*, respondents: int, k: int) -> int:
    """Points per step of a 0-100 figure (eNPS takes twice this) over `respondents` people,
    wide enough that k-1 of them cannot be read from the difference of two releases."""
    reach = 100 * (k - 1) / max(respondents, 1)
    return next((step for step in COARSE_STEPS if step >= reach), COARSE_STEPS[-1])


@dataclass(frozen=True)
class Comparison:
    """How a unit of this release relates to the earlier releases of the same team."""

    trend_from: list[ReleasedUnit]
    precision: int


def compare_with_earlier(
    *, cycle: Cycle, team_of_unit: dict[int, int | None], respondents: dict[int, int]
) -> dict[int, Comparison]:
    """Unit id → its comparison, for the units of this cycle that have a team.

    `respondents` is each unit's subtree respondent count in this cycle."""
    team_ids = {team for team in team_of_unit.values() if team is not None}
    earlier = list(
        ReleasedUnit.objects.filter(
            status=ReleaseStatus.RELEASED,
            unit__team_id__in=team_ids,
            cycle__closes_at__lt=cycle.closes_at,
        ).select_related("unit")
    )
    changes = {
        cycle_id: membership_changes(cycle.pk, cycle_id, team_ids)
        for cycle_id in {release.cycle_id for release in earlier}
    }
    by_team: dict[int, list[ReleasedUnit]] = {}
    for release in earlier:
        if release.unit.team_id is not None:
            by_team.setdefault(release.unit.team_id, []).append(release)

    comparisons = {}
    for unit_id, team_id in team_of_unit.items():
        if team_id is None:
            continue
        coarse = False
        for before in by_team.get(team_id, []):
            change = changes[before.cycle_id].get(team_id)
            invited_change = change.changed if change else 0
            respondent_change = abs(respondents.get(unit_id, 0) - (before.respondents or 0))
            if any(changed_by_few(n, cycle.k) for n in (invited_change, respondent_change)):
                coarse = True
        comparisons[unit_id] = Comparison(
            trend_from=by_team.get(team_id, []),
            precision=coarse_step(respondents=respondents.get(unit_id, 0), k=cycle.k)
            if coarse
            else FINE_PRECISION,
        )
    return comparisons


def changed_by_few(changed: int, k: int) -> bool:
    return 1 <= changed < k


def link_trends(*, released: list[ReleasedUnit], comparisons: dict[int, Comparison]) -> None:
    links = [
        ReleasedUnit.trend_from.through(
            from_releasedunit_id=release.pk, to_releasedunit_id=before.pk
        )
        for release in released
        if release.status == ReleaseStatus.RELEASED and release.unit_id in comparisons
        for before in comparisons[release.unit_id].trend_from
    ]
    ReleasedUnit.trend_from.through.objects.bulk_create(links, batch_size=1000)
