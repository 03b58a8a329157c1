"""The focus a cycle's people are shown, and the follow-through item it brings.

At launch each reporting unit of the snapshot is given the latest shared focus of the nearest
team at or above it (the unit's own team first, then its ancestors in the snapshot), from a
cycle that has already closed. Every team merged into the unit gets the unit's focus: all
ballots of one reporting unit carry the same questions, so the question set never splits a
unit's answers into a group smaller than k (docs/anonymity.md, "The follow-through item").
Walking up from a unit passes through the unit above it, so a unit below a focused unit is
always focused too.

Where any unit has a focus, the cycle freezes one more item, the follow-through item, which
the door (surveys.redemption) puts only into the surveys of focused units, naming their focus
domain. Whether a unit is asked, and the domain named, are frozen with the snapshot
(CycleTeam.focus_domain), so they hold for the whole cycle. What the team is shown of the
focus (its commitments with their status, the note) is read live, so a commitment marked done
since launch shows as done.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Max

from surveys.instrument import FOLLOW_THROUGH_KEY, FOLLOW_THROUGH_TEXT, Domain
from surveys.models import CommitmentStatus, Cycle, CycleItem, CycleState, CycleTeam, Focus


@dataclass(frozen=True)
class ShownCommitment:
    text: str
    status: str  # CommitmentStatus value
    status_label: str
    due_on: date | None


@dataclass(frozen=True)
class SharedFocus:
    """What a team is shown of the focus its manager shared: nothing personal, nothing about
    anyone's answers."""

    domain: str
    domain_label: str
    note: str
    commitments: tuple[ShownCommitment, ...]


def freeze_shown_focus(cycle: Cycle) -> bool:
    """Set CycleTeam.focus and focus_domain for every team of the just-inserted snapshot and,
    where any unit has a focus, freeze the follow-through item. True if the cycle asks it."""
    teams = list(
        CycleTeam.objects.filter(cycle=cycle).values_list(
            "pk", "parent_id", "team_id", "reporting_unit_id"
        )
    )
    parent_of = {pk: parent for pk, parent, _, _ in teams}
    team_of = {pk: team for pk, _, team, _ in teams}
    latest = latest_shared_focus_by_team({team for team in team_of.values() if team})
    units_by_focus: dict[tuple[int, str], list[int]] = {}
    for pk, _, _, unit in teams:
        if unit != pk:
            continue
        current: int | None = pk
        while current is not None:
            focus = latest.get(team_of[current] or 0)
            if focus is not None:
                units_by_focus.setdefault(focus, []).append(pk)
                break
            current = parent_of[current]
    for (focus_id, domain), units in units_by_focus.items():
        # In slices: SQLite limits the parameters one statement may carry.
        for start in range(0, len(units), 500):
            CycleTeam.objects.filter(
                cycle=cycle, reporting_unit_id__in=units[start : start + 500]
            ).update(focus_id=focus_id, focus_domain=domain)
    if not units_by_focus:
        return False
    last = CycleItem.objects.filter(cycle=cycle).aggregate(last=Max("position"))["last"] or 0
    CycleItem.objects.create(
        cycle=cycle,
        position=last + 1,
        item=None,
        key=FOLLOW_THROUGH_KEY,
        item_version=1,
        domain="",
        text=FOLLOW_THROUGH_TEXT,
        reverse_scored=False,
    )
    return True


def latest_shared_focus_by_team(team_ids: set[int]) -> dict[int, tuple[int, str]]:
    """Team id → (id, domain) of its latest shared focus (a draft, never shared, does not
    count) that answers a cycle closed by now: the latest closed cycle's, then the latest
    shared."""
    rows = (
        Focus.objects.filter(shared_at__isnull=False, cycle__state=CycleState.CLOSED)
        .order_by("cycle__closed_at", "shared_at", "pk")
        .values_list("team_id", "pk", "domain")
    )
    latest: dict[int, tuple[int, str]] = {}
    for team_id, focus_id, domain in rows:
        if team_id in team_ids:
            latest[team_id] = (focus_id, domain)  # later rows win
    return latest


def shown_focus_by_id(focus_ids: Iterable[int]) -> dict[int, SharedFocus]:
    """Focus id → what its team is shown, commitments in their order."""
    wanted = set(focus_ids)
    if not wanted:
        return {}
    focuses = Focus.objects.filter(pk__in=wanted).prefetch_related("commitments")
    return {
        focus.pk: SharedFocus(
            domain=focus.domain,
            domain_label=str(Domain(focus.domain).label),
            note=focus.note,
            commitments=tuple(
                ShownCommitment(
                    text=commitment.text,
                    status=commitment.status,
                    status_label=str(CommitmentStatus(commitment.status).label),
                    due_on=commitment.due_on,
                )
                for commitment in sorted(focus.commitments.all(), key=lambda c: c.position)
            ),
        )
        for focus in focuses
    }


def shown_focus_by_unit(unit_ids: Iterable[int]) -> dict[int, SharedFocus]:
    """Reporting unit id → the focus its people are shown; units without one are absent. The
    domain is the one frozen at launch; a focus deleted since is still named, without
    commitments."""
    frozen = list(
        CycleTeam.objects.filter(pk__in=set(unit_ids))
        .exclude(focus_domain="")
        .values_list("pk", "focus_id", "focus_domain")
    )
    live = shown_focus_by_id(focus for _, focus, _ in frozen if focus is not None)
    shown: dict[int, SharedFocus] = {}
    for unit, focus, domain in frozen:
        found = live.get(focus or 0)
        shown[unit] = SharedFocus(
            domain=domain,
            domain_label=str(Domain(domain).label),
            note=found.note if found else "",
            commitments=found.commitments if found else (),
        )
    return shown


def follow_through_text(frozen_text: str, focus: SharedFocus) -> str:
    """The frozen item text with the unit's focus domain named where "{focus}" stands."""
    return frozen_text.replace("{focus}", focus.domain_label)
