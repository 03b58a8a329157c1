"""Rotating the ballot key without losing a pending ballot.

Pending ballots are sealed to the public half of PULSE_BALLOT_KEY; without the private half they
cannot be opened, and an accepted answer would be lost. Rotation therefore runs in the sweeping
worker with the new key in PULSE_BALLOT_KEY and the old one in PULSE_BALLOT_KEY_PREVIOUS: the
sweep does what is due, then every ballot still waiting is re-sealed under the new key (the same
rewrite every sweep does for units with new arrivals). Afterwards the old key can go.

A closed cycle's ballots are stored only by the sweep's cell store, where closing counted them
(with the follow-through cell rule): if they still wait after the sweep, that store failed, and
they are re-sealed here without storing any, to be stored by the cell store once it succeeds.
"""

from django.conf import settings

from pulse.models import PendingBallot
from pulse.sweep import mix_unit, sweep
from surveys.models import Cycle, CycleState


def rotate_ballot_key() -> int:
    """Returns how many ballots still wait, all now sealed under the new key."""
    if not settings.PULSE_BALLOT_KEY_PREVIOUS:
        raise ValueError(
            "Set PULSE_BALLOT_KEY to the new key and PULSE_BALLOT_KEY_PREVIOUS to the old one."
        )
    sweep()
    waiting = set(PendingBallot.objects.values_list("cycle_id", "reporting_unit_id").distinct())
    cycles = Cycle.objects.in_bulk({cycle_id for cycle_id, _ in waiting})
    for cycle_id, unit_id in waiting:
        cycle = cycles[cycle_id]
        mix_unit(cycle=cycle, unit_id=unit_id, store_batch=cycle.state != CycleState.CLOSED)
    return PendingBallot.objects.count()
