"""Reads of focuses and commitments, as plain values for pages, emails and the API."""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch

from surveys.models import Commitment, CommitmentStatus, Focus


@dataclass(frozen=True)
class CommitmentView:
    id: int
    position: int
    text: str
    due_on: datetime.date | None
    status: str
    status_label: str


@dataclass(frozen=True)
class FocusView:
    id: int
    team_id: int
    cycle_id: int
    domain: str
    domain_label: str
    note: str
    shared_at: datetime.datetime | None
    commitments: tuple[CommitmentView, ...]

    @property
    def is_shared(self) -> bool:
        return self.shared_at is not None

    @property
    def done_count(self) -> int:
        return sum(1 for c in self.commitments if c.status == CommitmentStatus.DONE)

    def commitment_at(self, position: int) -> CommitmentView | None:
        return next((c for c in self.commitments if c.position == position), None)


def focus_view(focus: Focus) -> FocusView:
    return FocusView(
        id=focus.pk,
        team_id=focus.team_id,
        cycle_id=focus.cycle_id,
        domain=focus.domain,
        domain_label=str(focus.get_domain_display()),
        note=focus.note,
        shared_at=focus.shared_at,
        commitments=tuple(
            CommitmentView(
                id=c.pk,
                position=c.position,
                text=c.text,
                due_on=c.due_on,
                status=c.status,
                status_label=str(c.get_status_display()),
            )
            for c in focus.commitments.all()
        ),
    )


def with_commitments() -> Prefetch:
    return Prefetch("commitments", queryset=Commitment.objects.order_by("position"))


def focuses_after(cycle_id: int, team_ids: set[int] | None = None) -> dict[int, FocusView]:
    """Team id → its focus after this cycle's results; every team's when `team_ids` is None."""
    focuses = Focus.objects.filter(cycle_id=cycle_id).prefetch_related(with_commitments())
    if team_ids is not None:
        focuses = focuses.filter(team_id__in=team_ids)
    return {focus.team_id: focus_view(focus) for focus in focuses}


def focus_after(cycle_id: int, team_id: int | None) -> FocusView | None:
    if team_id is None:
        return None
    return focuses_after(cycle_id, {team_id}).get(team_id)


def focuses_by_id(focus_ids: set[int]) -> dict[int, FocusView]:
    focuses = Focus.objects.filter(pk__in=focus_ids).prefetch_related(with_commitments())
    return {focus.pk: focus_view(focus) for focus in focuses}


def latest_focus_before(team_id: int | None, closes_before: datetime.datetime) -> FocusView | None:
    """The team's most recent focus chosen after an earlier cycle than one closing then."""
    if team_id is None:
        return None
    focus = (
        Focus.objects.filter(team_id=team_id, cycle__closes_at__lt=closes_before)
        .order_by("-cycle__closes_at")
        .prefetch_related(with_commitments())
        .first()
    )
    return focus_view(focus) if focus else None


def focus_and_previous(
    team_id: int | None, cycle_id: int, closes_at: datetime.datetime
) -> tuple[FocusView | None, FocusView | None]:
    """In one look-up: the team's focus after this cycle, and its latest focus after an
    earlier one (latest_focus_before)."""
    if team_id is None:
        return None, None
    focuses = (
        Focus.objects.filter(team_id=team_id, cycle__closes_at__lte=closes_at)
        .order_by("-cycle__closes_at")
        .prefetch_related(with_commitments())[:2]
    )
    current = previous = None
    for focus in focuses:
        if focus.cycle_id == cycle_id:
            current = focus_view(focus)
        elif previous is None:
            previous = focus_view(focus)
    return current, previous


def teams_with_focus(cycle_id: int) -> set[int]:
    return set(Focus.objects.filter(cycle_id=cycle_id).values_list("team_id", flat=True))
