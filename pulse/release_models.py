"""Released results: computed once when a cycle closes, stored immutably, read by dashboards.

Imported by pulse.models so Django registers them. Like every pulse model they have random
keys and no time: a release belongs to its cycle, and that is all the time it needs.
"""

import uuid

from django.db import models

from surveys.models import Cycle, CycleTeam


class ReleaseStatus(models.TextChoices):
    RELEASED = "released", "Released"
    SUPPRESSED = "suppressed", "Suppressed"


class SuppressionReason(models.TextChoices):
    TOO_FEW_ELIGIBLE = "too_few_eligible", "Fewer than {k} people in this group"
    TOO_FEW_RESPONSES = "too_few_responses", "Fewer than {k} responses"
    PROTECTS_SMALLER_GROUP = "protects_smaller_group", "Hidden to protect a smaller group"


class CycleRelease(models.Model):
    """Marks a cycle whose results have been computed; one per cycle, written once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cycle = models.OneToOneField(Cycle, on_delete=models.CASCADE, related_name="release")
    respondents = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"Release of {self.cycle}"


class ReleasedUnit(models.Model):
    """One reporting unit's results: the roll-up of its subtree of reporting units.

    `figures` holds, when released:
      {"index": float, "enps": float|null, "enps_respondents": int,
       "domains": {domain: {"score", "favorable", "respondents", "spread"}},
       "questions": {item_key: {"status": "released"|"suppressed", "reason": str|null,
                                "respondents": int|null, "mean": float|null,
                                "favorable": float|null, "distribution": [7 ints]|null}}}
    and {} when suppressed.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="released_units")
    unit = models.OneToOneField(CycleTeam, on_delete=models.CASCADE, related_name="release")
    # The nearest ancestor that is itself a reporting unit; None for the top unit.
    parent_unit = models.ForeignKey(
        CycleTeam, null=True, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=12, choices=ReleaseStatus.choices)
    reason = models.CharField(max_length=30, choices=SuppressionReason.choices, blank=True)
    eligible = models.PositiveIntegerField()
    respondents = models.PositiveIntegerField(null=True)  # None when suppressed
    figures = models.JSONField(default=dict)
    comments_released = models.BooleanField(default=False)
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
    """A comment released with a unit's results: in random order, undated, unattributed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    released_unit = models.ForeignKey(
        ReleasedUnit, on_delete=models.CASCADE, related_name="comments"
    )
    text = models.TextField()

    def __str__(self) -> str:
        return self.text[:60]
