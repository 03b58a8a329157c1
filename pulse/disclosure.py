"""Disclosure control over one cycle's published figures (DESIGN §4.8).

Figures are published for reporting units as roll-ups of their subtree. The people who can read
results (the snapshot's managers, HR) are respondents too, and a coalition of them knows its own
ballots: subtracting those from a published sum leaves the sum over everyone else. Respondents
are counted per storage cell only, so nobody can tell which viewers answered; every viewer
invited in a cell is treated as a possible respondent (the worst case). Two rules:

- primary: a unit is published only with at least k eligible people and with respondents minus
  the viewers of its subtree of at least k;
- region: for every published unit P, the respondents in P's subtree that are not inside a
  published descendant of P (P's region) must number 0, or at least k beyond the region's
  viewers. A violation is fixed by suppressing P's smallest published descendant, repeated
  until nothing changes.

Published subtree sums span exactly the unions of regions, so these two rules leave no sum or
difference of published figures that describes 1 to k-1 people other than the viewers. The
published set is computed once for everyone: every viewer sees a subset of it, so the union of
all views is covered. Per-question figures run the same rules with the question's own counts.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import models

from teams.tree_walks import IdTree

# How many people a question's answer counts (how many gave each answer) must describe.
DISTRIBUTION_K = 10


class Suppression(models.TextChoices):
    """Why a figure is hidden, in the words the pages show (`{k}` is the cycle's threshold)."""

    TOO_FEW_ELIGIBLE = "too_few_eligible", "Fewer than {k} people in this group"
    TOO_FEW_RESPONSES = "too_few_responses", "Fewer than {k} answers"
    VIEWERS_KNOWN = (
        "viewers_known",
        "Fewer than {k} answers from people who cannot see results themselves",
    )
    PROTECTS_SMALLER_GROUP = (
        "protects_smaller_group",
        "It could be subtracted from another figure to reveal a smaller group",
    )
    # Decided across surveys (pulse.trends), not by the two rules here.
    SINGLES_OUT_ACROSS_SURVEYS = (
        "singles_out_across_surveys",
        "Beside earlier surveys' figures it would describe fewer than {k} people",
    )

    def sentence(self, k: int) -> str:
        return str(self.label).format(k=k)


@dataclass(frozen=True)
class UnitCounts:
    """One reporting unit: its parent unit, and the people stored under the unit itself (not
    its descendants). `own_viewers` counts the invited people of this cell who can read any
    results of the cycle."""

    unit_id: int
    parent_id: int | None
    own_eligible: int
    own_respondents: int
    own_viewers: int = 0


def decide_publication(units: list[UnitCounts], *, k: int) -> dict[int, Suppression | None]:
    """unit id → None when the unit's roll-up may be published, else why it is suppressed."""
    return PublicationTree(units).decide(
        {unit.unit_id: unit.own_respondents for unit in units}, k=k
    )


class PublicationTree:
    """The units' tree with what every figure's decision shares (eligible people and viewers
    per subtree): a release decides a dozen figures over the same units, each from its own
    respondent counts, and builds this once for all of them. The units' own respondents are
    not used here: each decision is given its own."""

    def __init__(self, units: list[UnitCounts]) -> None:
        # The units' order is the order the region rule goes through them in.
        self.unit_ids = list(dict.fromkeys(unit.unit_id for unit in units))
        # A parent that is not among the units makes its child a root.
        self.tree = IdTree({unit.unit_id: unit.parent_id for unit in units})
        self.eligible = subtree_totals(
            self.tree, {unit.unit_id: unit.own_eligible for unit in units}
        )
        self.viewers = subtree_totals(self.tree, {unit.unit_id: unit.own_viewers for unit in units})

    def decide(
        self, own_respondents: Mapping[int, int], *, k: int
    ) -> dict[int, Suppression | None]:
        """unit id → the decision, from each unit's own respondents (`own_respondents`)."""
        eligible, viewers = self.eligible, self.viewers
        respondents = subtree_totals(self.tree, own_respondents)
        decision: dict[int, Suppression | None] = {}
        for unit_id in self.unit_ids:
            if eligible[unit_id] < k:
                decision[unit_id] = Suppression.TOO_FEW_ELIGIBLE
            elif respondents[unit_id] < k:
                decision[unit_id] = Suppression.TOO_FEW_RESPONSES
            elif respondents[unit_id] - viewers[unit_id] < k:
                decision[unit_id] = Suppression.VIEWERS_KNOWN
            else:
                decision[unit_id] = None

        enforce_regions(self.tree, decision, respondents, viewers, k=k)
        return decision


def enforce_regions(
    tree: IdTree,
    decision: dict[int, Suppression | None],
    respondents: Mapping[int, int],
    viewers: Mapping[int, int],
    *,
    k: int,
) -> None:
    """The region rule, to its fixed point: pass after pass over the published units, in their
    order, each unit whose region is below k suppresses its smallest published descendant.

    A unit's region changes only when a unit of its frontier (its nearest published
    descendants) is suppressed, and only that unit itself suppresses those. So a unit that held
    in one pass holds in every later one, and a pass need check again only the units that
    suppressed something in the pass before: the same checks in the same order, and the same
    decisions, as checking every unit in every pass, without walking each frontier once per
    pass (tests/pulse/test_disclosure.py compares the two)."""
    due = [unit_id for unit_id, reason in decision.items() if reason is None]
    # The frontier of a unit that suppressed something, kept for its next check: it lost the
    # unit suppressed and gained that one's nearest published descendants, and nothing else
    # changed it, so the subtree below need not be walked again.
    frontiers: dict[int, list[int]] = {}
    while due:
        again = []
        for unit_id in due:
            if decision[unit_id] is not None:
                continue
            frontier = frontiers.pop(unit_id, None)
            if frontier is None:
                frontier = nearest_published_descendants(unit_id, tree, decision)
            region = respondents[unit_id] - sum(respondents[d] for d in frontier)
            region_viewers = viewers[unit_id] - sum(viewers[d] for d in frontier)
            if region == 0 or region - region_viewers >= k:
                continue
            if not frontier:
                # Unreachable: with no published descendant the region is the whole roll-up,
                # which the primary rule already holds at k or more beyond its viewers.
                raise AssertionError("region below k without a published descendant")
            smallest = min(frontier, key=lambda d: (respondents[d] - viewers[d], d))
            decision[smallest] = Suppression.PROTECTS_SMALLER_GROUP
            frontiers[unit_id] = [d for d in frontier if d != smallest]
            frontiers[unit_id] += nearest_published_descendants(smallest, tree, decision)
            again.append(unit_id)
        due = again


def subtree_totals(tree: IdTree, own: Mapping[int, int]) -> dict[int, int]:
    """Node id → its own count plus those of every node below it."""
    totals: dict[int, int] = {}
    for node in tree.bottom_up():
        totals[node] = own[node] + sum(totals[child] for child in tree.children_of(node))
    return totals


def nearest_published_descendants(
    unit_id: int, tree: IdTree, decision: Mapping[int, Suppression | None]
) -> list[int]:
    """The published units below `unit_id` with no published unit between them and it."""
    found, frontier = [], list(tree.children_of(unit_id))
    while frontier:
        current = frontier.pop()
        if decision[current] is None:
            found.append(current)
        else:
            frontier.extend(tree.children_of(current))
    return found
