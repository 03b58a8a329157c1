"""Which earlier results a unit's trend may be drawn from (DESIGN §4.9).

A trend compares a team's released results across cycles. It is shown only when both cycles
were released for the team, and not when the membership of the team's subtree changed by one or
two people: the difference of two averages would then describe the joiner or the leaver.
"""

from collections import defaultdict

from pulse.release_models import ReleasedUnit, ReleaseStatus
from surveys.models import Cycle
from surveys.selectors import unit_members

MIN_MEMBERSHIP_CHANGE = 3


def subtree_members(released: list[ReleasedUnit], cycle_id: int) -> dict[int, set[int]]:
    """Released unit's CycleTeam id → everyone invited in its subtree of units."""
    own = unit_members(cycle_id)
    parent_of = {r.unit_id: r.parent_unit_id for r in released}
    members: dict[int, set[int]] = defaultdict(set)
    for unit_id, people in own.items():
        current = unit_id
        while current is not None:
            members[current] |= people
            current = parent_of.get(current)
    return members


def link_trends(*, cycle: Cycle, released: list[ReleasedUnit]) -> None:
    current = [r for r in released if r.status == ReleaseStatus.RELEASED and r.unit.team_id]
    if not current:
        return
    team_ids = {r.unit.team_id for r in current}
    earlier = list(
        ReleasedUnit.objects.filter(
            status=ReleaseStatus.RELEASED,
            unit__team_id__in=team_ids,
            cycle__closes_at__lt=cycle.closes_at,
        ).select_related("unit")
    )
    if not earlier:
        return
    members_now = subtree_members(released, cycle.pk)
    members_then: dict[int, dict[int, set[int]]] = {}
    for cycle_id in {r.cycle_id for r in earlier}:
        released_then = list(ReleasedUnit.objects.filter(cycle_id=cycle_id))
        members_then[cycle_id] = subtree_members(released_then, cycle_id)
    earlier_by_team: dict[int, list[ReleasedUnit]] = defaultdict(list)
    for release in earlier:
        earlier_by_team[release.unit.team_id].append(release)

    links = []
    for release in current:
        for before in earlier_by_team[release.unit.team_id]:
            changed = len(
                members_now[release.unit_id] ^ members_then[before.cycle_id][before.unit_id]
            )
            if changed == 0 or changed >= MIN_MEMBERSHIP_CHANGE:
                links.append(
                    ReleasedUnit.trend_from.through(
                        from_releasedunit_id=release.pk, to_releasedunit_id=before.pk
                    )
                )
    ReleasedUnit.trend_from.through.objects.bulk_create(links, batch_size=1000)
