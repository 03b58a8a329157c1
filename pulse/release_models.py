"""Released results: computed once when a cycle closes, stored immutably, read by dashboards.

Imported by pulse.models so Django registers them. Like every pulse model they have random
keys and no time: a release belongs to its cycle, and that is all the time it needs.
"""

import uuid
from typing import NotRequired, TypedDict

from django.db import models

from pulse.disclosure import Suppression
from surveys.models import Cycle, CycleTeam


class ReleaseStatus(models.TextChoices):
    RELEASED = "released", "Released"
    SUPPRESSED = "suppressed", "Suppressed"


class DomainFigures(TypedDict):
    score: int  # 0-100, whole points as the pages show them
    favorable: int  # 0-100, share of favorable item answers, whole points
    respondents: int
    # Standard deviation of respondents' domain values (0-100), in whole points: only for the
    # change verdict, never shown or returned by the API. Absent from coarse releases (their
    # scores are too rough for a verdict, and an exact spread would give a joiner away).
    spread: NotRequired[int]


class QuestionFigures(TypedDict):
    status: str  # ReleaseStatus
    reason: str | None  # Suppression, when suppressed
    respondents: int | None
    mean: float | None  # 1-7 after reverse-keying, one decimal as the pages show it
    favorable: int | None
    distribution: list[int] | None  # counts of answers 1..7, only at 10 or more respondents


class UnitFigures(TypedDict, total=False):
    """A released unit's figures; an empty dict when the unit is suppressed."""

    index: int | None
    enps: int | None
    enps_respondents: int | None
    # Scores rounded to `precision` points: 1, or a coarse step (5 to 100) when the unit's
    # people may have changed by a few since an earlier release (pulse.trends).
    precision: int
    # Domain (or "enps") → the Suppression that hides it, so the page can say why.
    hidden: dict[str, str]
    domains: dict[str, DomainFigures]
    questions: dict[str, QuestionFigures]
    # The follow-through item (did we do what we said on our focus?), scored 0-100 like a
    # domain: present only where the cycle asked it of the unit's people (a shared focus) and
    # the disclosure rules allow it; otherwise hidden["follow_through"] may say why.
    follow_through: DomainFigures


class CycleRelease(models.Model):
    """Marks a cycle whose results have been computed; one per cycle, written once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cycle = models.OneToOneField(Cycle, on_delete=models.CASCADE, related_name="release")
    respondents = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"Release of {self.cycle}"


class ReleasedUnit(models.Model):
    """One reporting unit's results: the roll-up of its subtree of reporting units.

    `figures` holds a UnitFigures: exactly what the pages show, rounded as they show it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="released_units")
    unit = models.OneToOneField(CycleTeam, on_delete=models.CASCADE, related_name="release")
    # The nearest ancestor that is itself a reporting unit; None for the top unit.
    parent_unit = models.ForeignKey(
        CycleTeam, null=True, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=12, choices=ReleaseStatus.choices)
    reason = models.CharField(max_length=30, choices=Suppression.choices, blank=True)
    eligible = models.PositiveIntegerField()
    respondents = models.PositiveIntegerField(null=True)  # None when suppressed
    figures = models.JSONField(default=dict)
    comments_released = models.BooleanField(default=False)
    # The comments shown with this unit: every comment of its subtree, stored once per cycle
    # and laid out so that each comment-released unit's comments are one slice of positions
    # (pulse.release_comments). Empty (0, 0) where comments are not released.
    comments_from = models.PositiveIntegerField(default=0)
    comments_count = models.PositiveIntegerField(default=0)
    # Keys this unit's own random order of its slice (pulse.comment_order): the same order on
    # every visit, unrelated to the order of any other unit or to where a comment is stored.
    comments_shuffle_key = models.UUIDField(default=uuid.uuid4, editable=False)
    # Earlier releases of the same team that a trend may be drawn from (both released, and the
    # membership changed by 0 or at least 3 people).
    trend_from = models.ManyToManyField("self", symmetrical=False, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "unit"], name="one_release_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.unit.name} in {self.cycle}"


class ReleasedComment(models.Model):
    """A released comment, stored once per cycle: in random order, undated, unattributed.

    It belongs to the lowest unit whose comments are released at or above its writer's
    reporting unit (the first page it is shown on) and is shown on that unit's page and on
    every page above it. `position` places it in its cycle's layout, where each
    comment-released unit's comments are one slice (ReleasedUnit.comments_from/count) and the
    comments belonging to one unit are shuffled together, so a position says nothing finer
    than that unit."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    released_unit = models.ForeignKey(
        ReleasedUnit, on_delete=models.CASCADE, related_name="comments"
    )
    position = models.PositiveIntegerField()
    text = models.TextField()

    class Meta:
        # A page reads its fifty comments by position from this index: the same cost at the
        # top as at a leaf, however many comments the cycle has.
        constraints = [
            models.UniqueConstraint(fields=["cycle", "position"], name="one_comment_per_position"),
        ]

    def __str__(self) -> str:
        return self.text[:60]
