"""Reads of the surveys plane that other apps may use. None of them says who answered."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from surveys.models import CycleTeam, Invitation
from teams.tree_walks import IdTree


def unit_members(cycle_id: int) -> dict[int, set[int]]:
    """Reporting unit id → ids of the people invited under it (not its descendants)."""
    members: dict[int, set[int]] = defaultdict(set)
    for unit_id, person_id in Invitation.objects.filter(cycle_id=cycle_id).values_list(
        "reporting_unit_id", "person_id"
    ):
        members[unit_id].add(person_id)
    return members


@dataclass(frozen=True)
class ReportingUnit:
    pk: int  # the unit's CycleTeam id, which responses and releases refer to
    parent_unit_id: int | None  # its nearest ancestor unit; None for the top unit
    name: str
    team_id: int | None
    unit_eligible_count: int


def reporting_units(cycle_id: int) -> list[ReportingUnit]:
    """The cycle's reporting units, each with its nearest ancestor unit."""
    teams = {
        team.pk: team
        for team in CycleTeam.objects.filter(cycle_id=cycle_id).only(
            "id", "parent_id", "reporting_unit_id", "name", "team_id", "unit_eligible_count"
        )
    }
    units = []
    for team in teams.values():
        if team.reporting_unit_id != team.pk:
            continue
        parent = teams.get(team.parent_id) if team.parent_id else None
        units.append(
            ReportingUnit(
                pk=team.pk,
                parent_unit_id=parent.reporting_unit_id if parent else None,
                name=team.name,
                team_id=team.team_id,
                unit_eligible_count=team.unit_eligible_count,
            )
        )
    return units


def answered_counts(cycle_id: int) -> dict[int, int]:
    """While a cycle is open: answered invitations per reporting unit. Counts only, never who;
    callers show them coarsely and only for units of at least k people."""
    counts: dict[int, int] = defaultdict(int)
    for unit_id in Invitation.objects.filter(cycle_id=cycle_id, answered=True).values_list(
        "reporting_unit_id", flat=True
    ):
        counts[unit_id] += 1
    return counts


def subtree_members(cycle_id: int) -> dict[int, set[int]]:
    """Reporting unit id → ids of the people invited under it or under any unit below it."""
    tree = IdTree(dict(CycleTeam.objects.filter(cycle_id=cycle_id).values_list("id", "parent_id")))
    members: dict[int, set[int]] = defaultdict(set)
    for unit_id, people in unit_members(cycle_id).items():
        for holder in (unit_id, *tree.ancestors(unit_id)):
            members[holder] |= people
    return members


def membership_changes(unit_pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """For each pair of reporting units (of any two cycles, e.g. a unit now and the same team's
    unit a cycle before): how many people were invited under exactly one of the two subtrees.

    Only the count leaves this module, never who: a trend needs to know whether one or two
    people joined or left, not which."""
    pairs = list(unit_pairs)
    unit_ids = {unit_id for pair in pairs for unit_id in pair}
    cycle_of = dict(CycleTeam.objects.filter(pk__in=unit_ids).values_list("id", "cycle_id"))
    members = {cycle_id: subtree_members(cycle_id) for cycle_id in set(cycle_of.values())}

    def people_under(unit_id: int) -> set[int]:
        return members[cycle_of[unit_id]].get(unit_id, set()) if unit_id in cycle_of else set()

    return {(now, then): len(people_under(now) ^ people_under(then)) for now, then in pairs}
