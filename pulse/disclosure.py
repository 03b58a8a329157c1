"""Disclosure control over one cycle's published figures (DESIGN §4.8).

Figures are published for reporting units as roll-ups of their subtree. A viewer who can add and
subtract published counts must never isolate a group of 1 to k-1 respondents. Two rules:

- primary: a unit is published only with at least k eligible people and k respondents;
- region: for every published unit P, the respondents in P's subtree that are not inside a
  published descendant of P (P's region) must number 0 or at least k. A violation is fixed by
  suppressing P's smallest published descendant, repeated until nothing changes.

The published set is computed once for everyone: every viewer sees a subset of it, so the union
of all views is covered. Per-question figures run the same rules with the question's own counts.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum


class Suppression(StrEnum):
    TOO_FEW_ELIGIBLE = "too_few_eligible"
    TOO_FEW_RESPONSES = "too_few_responses"
    PROTECTS_SMALLER_GROUP = "protects_smaller_group"


@dataclass(frozen=True)
class UnitCounts:
    """One reporting unit: its parent unit, and the people stored under the unit itself (not
    its descendants)."""

    unit_id: int
    parent_id: int | None
    own_eligible: int
    own_respondents: int


def decide_publication(units: list[UnitCounts], *, k: int) -> dict[int, Suppression | None]:
    """unit id → None when the unit's roll-up may be published, else why it is suppressed."""
    by_id = {unit.unit_id: unit for unit in units}
    children: dict[int | None, list[int]] = {}
    for unit in units:
        parent = unit.parent_id if unit.parent_id in by_id else None
        children.setdefault(parent, []).append(unit.unit_id)

    eligible = subtree_totals(by_id, children, lambda unit: unit.own_eligible)
    respondents = subtree_totals(by_id, children, lambda unit: unit.own_respondents)
    decision: dict[int, Suppression | None] = {}
    for unit_id in by_id:
        if eligible[unit_id] < k:
            decision[unit_id] = Suppression.TOO_FEW_ELIGIBLE
        elif respondents[unit_id] < k:
            decision[unit_id] = Suppression.TOO_FEW_RESPONSES
        else:
            decision[unit_id] = None

    changed = True
    while changed:
        changed = False
        for unit_id in by_id:
            if decision[unit_id] is not None:
                continue
            frontier = nearest_published_descendants(unit_id, children, decision)
            region = respondents[unit_id] - sum(respondents[d] for d in frontier)
            if 0 < region < k and frontier:
                smallest = min(frontier, key=lambda d: (respondents[d], d))
                decision[smallest] = Suppression.PROTECTS_SMALLER_GROUP
                changed = True
            elif 0 < region < k:
                # Unreachable: with no published descendant the region is the whole roll-up,
                # which the primary rule already holds at k or more.
                raise AssertionError("region below k without a published descendant")
    return decision


def subtree_totals(
    by_id: Mapping[int, UnitCounts],
    children: Mapping[int | None, list[int]],
    own: Callable[[UnitCounts], int],
) -> dict[int, int]:
    totals: dict[int, int] = {}
    order, frontier = [], list(children.get(None, []))
    while frontier:
        unit_id = frontier.pop()
        order.append(unit_id)
        frontier.extend(children.get(unit_id, []))
    for unit_id in reversed(order):
        totals[unit_id] = own(by_id[unit_id]) + sum(
            totals[child] for child in children.get(unit_id, [])
        )
    return totals


def nearest_published_descendants(
    unit_id: int,
    children: Mapping[int | None, list[int]],
    decision: Mapping[int, Suppression | None],
) -> list[int]:
    found, frontier = [], list(children.get(unit_id, []))
    while frontier:
        current = frontier.pop()
        if decision[current] is None:
            found.append(current)
        else:
            frontier.extend(children.get(current, []))
    return found
