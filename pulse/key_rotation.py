"""Rotating the ballot key without losing a pending ballot.

Pending ballots are sealed with PULSE_BALLOT_KEY; without the key they cannot be opened, and an
accepted answer would be lost. Rotation therefore runs with the new key in PULSE_BALLOT_KEY and
the old one in PULSE_BALLOT_KEY_PREVIOUS: first every batch that is due is flushed into the
response store, then the few ballots still waiting (fewer than a batch in their unit, which must
not be flushed early) are sealed again under the new key. Afterwards the old key can go.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from pulse.models import PendingBallot
from pulse.sealing import seal, unseal
from pulse.sweep import flush_ballots


@dataclass(frozen=True)
class RotationReport:
    flushed: int
    resealed: int


def rotate_ballot_key() -> RotationReport:
    if not settings.PULSE_BALLOT_KEY_PREVIOUS:
        raise ValueError(
            "Set PULSE_BALLOT_KEY to the new key and PULSE_BALLOT_KEY_PREVIOUS to the old one."
        )
    flushed = flush_ballots()
    resealed = 0
    with transaction.atomic():
        for ballot in PendingBallot.objects.select_for_update():
            payload = unseal(ballot.sealed, cycle_id=ballot.cycle_id)
            ballot.sealed = seal(payload, cycle_id=ballot.cycle_id)
            ballot.save(update_fields=["sealed"])
            resealed += 1
    return RotationReport(flushed=flushed, resealed=resealed)
