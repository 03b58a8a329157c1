"""The anonymous plane's storage.

Nothing here refers to a person, a login, an invitation, a link, a session, a network address
or a moment finer than the cycle. Keys are random (uuid4), so their order says nothing either.
Answers wait sealed in PendingBallot until the sweep moves a batch of them, shuffled, into
Response and Comment (see pulse.sweep).
"""

import uuid

from django.db import models

from pulse.release_models import CycleRelease, ReleasedComment, ReleasedUnit
from surveys.models import Cycle, CycleTeam

__all__ = [
    "Comment",
    "CycleRelease",
    "PendingBallot",
    "ReleasedComment",
    "ReleasedUnit",
    "Response",
]


class PendingBallot(models.Model):
    """An accepted answer, encrypted with the ballot key, waiting for its batch."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    reporting_unit = models.ForeignKey(CycleTeam, on_delete=models.CASCADE, related_name="+")
    sealed = models.BinaryField()
    # False from the door until the next sweep has re-sealed the ballot under a fresh id and
    # fresh bytes, which it does for every waiting ballot of the unit at once (pulse.sweep).
    rewritten = models.BooleanField(default=False)

    def __str__(self) -> str:
        return "Sealed ballot"


class Response(models.Model):
    """One respondent's scores: item key → answer as given (1-7), and eNPS (0-10)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    reporting_unit = models.ForeignKey(CycleTeam, on_delete=models.CASCADE, related_name="+")
    answers = models.JSONField(default=dict)
    enps = models.PositiveSmallIntegerField(null=True)

    def __str__(self) -> str:
        return "Response"


class Comment(models.Model):
    """A free-text comment, stored apart from the scores so the two cannot be paired."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    reporting_unit = models.ForeignKey(CycleTeam, on_delete=models.CASCADE, related_name="+")
    text = models.TextField()

    def __str__(self) -> str:
        return self.text[:60]
