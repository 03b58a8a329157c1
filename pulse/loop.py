"""The loop after the results, as the manager lives it: who may read or write a unit's focus,
the steps they have taken, and how the focus has gone since.

A focus belongs to a team and to the released cycle it answers. It is read by whoever may read
that unit's results (pulse.access: the managers above it, HR of that cycle) and written only by
the manager who led the unit in the cycle's snapshot, and only once the unit was released with
figures: there is nothing to focus on in a hidden unit. Anyone else gets a 404.

Everything shown next to a focus is a released figure: the domain's scores from the releases,
the follow-through score where a release carries one, and the change in words (the interval
decides the verdict; the spread behind it is never shown).
"""

from dataclasses import dataclass

from pulse.access import User, may_see
from pulse.release_models import ReleasedUnit, ReleaseStatus
from pulse.results import earlier_releases_for, lowest_of, reason_text, step_of
from pulse.scoring import DomainFigure, change_between
from surveys.focus_selectors import FocusView, focus_after, latest_focus_before
from surveys.instrument import Domain
from surveys.models import Cycle, CycleTeam, Focus


@dataclass(frozen=True)
class LoopUnit:
    """A released unit someone may read, and whether they may write its focus."""

    released: ReleasedUnit
    cycle: Cycle
    unit: CycleTeam
    can_write: bool

    @property
    def focus(self) -> FocusView | None:
        return focus_after(self.cycle.pk, self.unit.team_id)

    def stored_focus(self) -> Focus | None:
        if self.unit.team_id is None:
            return None
        return Focus.objects.filter(cycle=self.cycle, team_id=self.unit.team_id).first()


def leads_released_unit(user: User, released: ReleasedUnit) -> bool:
    unit = released.unit
    return (
        user.is_authenticated
        and released.status == ReleaseStatus.RELEASED
        and unit.team_id is not None
        and unit.manager is not None
        and unit.manager.user_id == user.pk
    )


def loop_unit_of(user: User, released: ReleasedUnit) -> LoopUnit:
    """For a release the viewer was already allowed to read (the dashboard's own unit)."""
    return LoopUnit(
        released=released,
        cycle=released.cycle,
        unit=released.unit,
        can_write=leads_released_unit(user, released),
    )


def loop_unit(user: User, unit_id: int) -> LoopUnit | None:
    """The released unit with this snapshot id, if this viewer may read it; else None (404)."""
    released = (
        ReleasedUnit.objects.filter(unit_id=unit_id)
        .select_related("unit", "unit__manager", "cycle", "cycle__cadence")
        .first()
    )
    if released is None or not may_see(user, released.cycle_id, unit_id):
        return None
    return LoopUnit(
        released=released,
        cycle=released.cycle,
        unit=released.unit,
        can_write=leads_released_unit(user, released),
    )


def weakest_domain(released: ReleasedUnit) -> str | None:
    """The domain with the lowest score, or None when several are level at the bottom (coarse
    steps often make them level): then nothing is proposed and the team chooses."""
    domains = released.figures.get("domains", {})
    lowest = lowest_of({domain: figure["score"] for domain, figure in domains.items()})
    return lowest[0] if len(lowest) == 1 else None


@dataclass(frozen=True)
class Step:
    title: str
    done: bool


def steps_of(focus: FocusView | None) -> list[Step]:
    """The manager's path through one release, ticked off from what is stored: choosing a
    focus comes after talking the results through, so a chosen focus ticks both."""
    chosen = focus is not None
    return [
        Step("Read the results", True),
        Step("Talk them through with your team", chosen),
        Step("Choose a focus", chosen),
        Step("Write one to three commitments", bool(focus and focus.commitments)),
        Step("Share them with your team", bool(focus and focus.is_shared)),
    ]


def change_sentence(before: dict, after: dict) -> str:
    """A domain's change between two releases' DomainFigures, in words."""
    delta = after["score"] - before["score"]
    direction = "up" if delta >= 0 else "down"
    if "spread" not in before or "spread" not in after:
        # A coarse release keeps no spread: its people may differ by a few, and its scores
        # are off by up to half a step, too rough for an honest verdict.
        return f"{direction} {points(delta)}: the people may differ by a few, so no comparison"
    change = change_between(stored_figure(before), stored_figure(after), rounding=STORED_ROUNDING)
    verdict = "likely a real change" if change.is_clear else "within the noise"
    return f"{direction} {points(change.delta)}: {verdict}"


def points(delta: float) -> str:
    size = f"{abs(delta):.0f}"
    return f"{size} point" if size == "1" else f"{size} points"


# Two scores stored in whole points: their difference is off by up to one point.
STORED_ROUNDING = 1.0


def stored_figure(figures: dict) -> DomainFigure:
    """A stored DomainFigures as scoring takes it; the spread, stored in whole points, at the
    top of what it was rounded from, so the interval is never narrower than the truth's."""
    return DomainFigure(
        score=figures["score"],
        favorable=figures["favorable"],
        respondents=figures["respondents"],
        spread=figures["spread"] + 0.5,
    )


@dataclass(frozen=True)
class FocusProgress:
    """How the focus chosen after an earlier release has gone, seen from a later one."""

    focus: FocusView
    chosen_after: str  # the period of the release it answered
    follow_through: int | None
    follow_through_step: int  # of the release it is from
    follow_through_reason: str
    # (period, score, step) of the focus domain in the releases this viewer may read, oldest
    # first: a coarse release's score is shown as the range its step stands for.
    domain_points: list[tuple[str, int, int]]
    change: str  # since the release the focus answered, in words; "" when none can be drawn
    can_update: bool  # this viewer led the team when the focus was chosen: may set statuses


def follow_through_of(released: ReleasedUnit, k: int) -> tuple[int | None, str]:
    figures = released.figures
    if released.status == ReleaseStatus.RELEASED and "follow_through" in figures:
        return int(figures["follow_through"]["score"]), ""
    hidden = figures.get("hidden", {}).get("follow_through", "")
    return None, reason_text(hidden, k) if hidden else ""


def progress_since(
    user: User,
    released: ReleasedUnit,
    earlier: list[ReleasedUnit] | None = None,
    focus: FocusView | None = None,
) -> FocusProgress | None:
    """The team's latest focus chosen after an earlier release than this one (`focus`, when
    the caller has it), with this release's follow-through score and the focus domain's change
    since then. `earlier`: the earlier releases this viewer may read (earlier_releases_for),
    when the caller has them."""
    focus = focus or latest_focus_before(released.unit.team_id, released.cycle.closes_at)
    if focus is None:
        return None
    if released.status != ReleaseStatus.RELEASED:
        earlier = []
    elif earlier is None:
        earlier = earlier_releases_for(user, released)
    points = [
        (before.cycle.period, before.figures["domains"][focus.domain]["score"], step_of(before))
        for before in earlier
        if focus.domain in before.figures.get("domains", {})
    ]
    after = released.figures.get("domains", {}).get(focus.domain)
    if after is not None:
        points.append((released.cycle.period, after["score"], step_of(released)))
    answered = next((before for before in earlier if before.cycle_id == focus.cycle_id), None)
    before = answered.figures.get("domains", {}).get(focus.domain) if answered else None
    score, reason = follow_through_of(released, released.cycle.k)
    chosen_after = (
        answered.cycle.period
        if answered
        else Cycle.objects.filter(pk=focus.cycle_id).values_list("period", flat=True)[0]
    )
    return FocusProgress(
        focus=focus,
        chosen_after=chosen_after,
        follow_through=score,
        follow_through_step=step_of(released),
        follow_through_reason=reason,
        domain_points=points,
        change=change_sentence(before, after) if before and after else "",
        can_update=led_when_chosen(user, focus),
    )


def led_when_chosen(user: User, focus: FocusView) -> bool:
    return (
        user.is_authenticated
        and CycleTeam.objects.filter(
            cycle_id=focus.cycle_id, team_id=focus.team_id, manager__user_id=user.pk
        ).exists()
    )


def domain_label(domain: str | None) -> str:
    return str(Domain(domain).label) if domain else ""
