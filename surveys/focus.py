"""Writes of the loop after the results: a team's focus, its commitments, sharing them.

Who may write is decided by the caller (pulse.loop_access, on the cycle's frozen snapshot):
these services only keep a focus well formed. Every problem is reported as a FocusProblem that
names the field and says why, and nothing is written when there is one.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from surveys.instrument import Domain
from surveys.models import (
    MAX_COMMITMENTS,
    Commitment,
    CommitmentStatus,
    Cycle,
    Focus,
)
from teams.models import Team

COMMITMENT_TEXT_MAX = 300
NOTE_MAX = 1000


class FocusProblem(Exception):
    """What is wrong with a focus write, field by field; nothing was saved."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{field}: {' '.join(why)}" for field, why in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class CommitmentInput:
    text: str
    due_on: datetime.date | None = None


def local_today() -> datetime.date:
    return timezone.localdate()


def domain_problems(domain: str) -> dict[str, list[str]]:
    if domain in Domain.values:
        return {}
    choices = ", ".join(f"{value} ({label})" for value, label in Domain.choices)
    return {"domain": [f"Choose one of the four domains: {choices}; got {domain!r}."]}


def note_problems(note: str) -> dict[str, list[str]]:
    length = len(note.strip())
    if length <= NOTE_MAX:
        return {}
    return {"note": [f"The note has {length} characters; keep it to {NOTE_MAX}."]}


@transaction.atomic
def choose_focus(*, team: Team, cycle: Cycle, domain: str, chosen_by: User | None) -> Focus:
    """The team's focus after `cycle`'s results: created, or its domain changed."""
    if errors := domain_problems(domain):
        raise FocusProblem(errors)
    focus, created = Focus.objects.select_for_update().get_or_create(
        team=team, cycle=cycle, defaults={"domain": domain, "chosen_by": chosen_by}
    )
    if not created and focus.domain != domain:
        focus.domain = domain
        focus.chosen_by = chosen_by
        focus.save(update_fields=["domain", "chosen_by", "updated_at"])
    return focus


def commitment_problems(
    commitments: list[CommitmentInput], kept_due_dates: dict[int, datetime.date | None]
) -> dict[str, list[str]]:
    """`kept_due_dates`: position → the due date already stored there, which may stay even
    once it has passed (only a new date must not lie in the past)."""
    errors: dict[str, list[str]] = {}
    if not 1 <= len(commitments) <= MAX_COMMITMENTS:
        errors["commitments"] = [
            f"Write one to {MAX_COMMITMENTS} commitments; {len(commitments)} were given."
        ]
    today = local_today()
    for position, commitment in enumerate(commitments, start=1):
        text = commitment.text.strip()
        if not text:
            errors[f"commitments.{position}.text"] = [
                f"Commitment {position} is empty: say what you will do."
            ]
        elif len(text) > COMMITMENT_TEXT_MAX:
            errors[f"commitments.{position}.text"] = [
                f"Commitment {position} has {len(text)} characters; "
                f"keep it to {COMMITMENT_TEXT_MAX}."
            ]
        due = commitment.due_on
        if due is not None and due < today and kept_due_dates.get(position) != due:
            errors[f"commitments.{position}.due_on"] = [
                f"Commitment {position} is due on {due.isoformat()}, which has passed; "
                "choose today or a later day, or leave it empty."
            ]
    return errors


@transaction.atomic
def set_commitments(*, focus: Focus, commitments: list[CommitmentInput]) -> list[Commitment]:
    """Replace the focus's commitments with these one to three, in this order. A commitment
    whose wording stays the same keeps its status; a reworded one starts again as planned."""
    focus = Focus.objects.select_for_update().get(pk=focus.pk)
    stored = {c.position: c for c in focus.commitments.all()}
    errors = commitment_problems(
        commitments, {position: c.due_on for position, c in stored.items()}
    )
    if errors:
        raise FocusProblem(errors)
    saved = []
    for position, wanted in enumerate(commitments, start=1):
        text = wanted.text.strip()
        existing = stored.pop(position, None)
        if existing is None:
            existing = Commitment(focus=focus, position=position, text=text)
        elif existing.text != text:
            existing.text, existing.status = text, CommitmentStatus.PLANNED
        existing.due_on = wanted.due_on
        existing.save()
        saved.append(existing)
    Commitment.objects.filter(pk__in=[c.pk for c in stored.values()]).delete()
    Focus.objects.filter(pk=focus.pk).update(updated_at=timezone.now())
    return saved


@transaction.atomic
def set_commitment_status(*, commitment: Commitment, status: str) -> Commitment:
    if status not in CommitmentStatus.values:
        choices = ", ".join(CommitmentStatus.values)
        raise FocusProblem({"status": [f"Status must be one of {choices}; got {status!r}."]})
    Commitment.objects.filter(pk=commitment.pk).update(status=status, updated_at=timezone.now())
    commitment.refresh_from_db()
    return commitment


@transaction.atomic
def set_note(*, focus: Focus, note: str) -> Focus:
    """The short "you said, we did" note the team sees with the commitments."""
    if errors := note_problems(note):
        raise FocusProblem(errors)
    Focus.objects.filter(pk=focus.pk).update(note=note.strip(), updated_at=timezone.now())
    focus.refresh_from_db()
    return focus


@transaction.atomic
def share_focus(*, focus: Focus) -> Focus:
    """Share the focus with the team: from now on the team's next pulse shows it. Sharing
    twice keeps the first moment."""
    focus = Focus.objects.select_for_update().get(pk=focus.pk)
    if not focus.commitments.exists():
        raise FocusProblem(
            {"commitments": ["Write at least one commitment before sharing the focus."]}
        )
    if focus.shared_at is None:
        focus.shared_at = timezone.now()
        focus.save(update_fields=["shared_at", "updated_at"])
    return focus


@transaction.atomic
def save_focus(
    *,
    team: Team,
    cycle: Cycle,
    domain: str,
    commitments: list[CommitmentInput],
    note: str,
    chosen_by: User | None,
) -> Focus:
    """Domain, commitments and note in one go (the focus page's form, the API's PUT): all
    saved, or, when any of them is wrong, none, with every problem named."""
    errors = {**domain_problems(domain), **note_problems(note)}
    stored = Focus.objects.filter(team=team, cycle=cycle).first()
    kept = dict(stored.commitments.values_list("position", "due_on")) if stored else {}
    errors.update(commitment_problems(commitments, kept))
    if errors:
        raise FocusProblem(errors)
    focus = choose_focus(team=team, cycle=cycle, domain=domain, chosen_by=chosen_by)
    set_commitments(focus=focus, commitments=commitments)
    return set_note(focus=focus, note=note)
