"""Demo results: two closed, released cycles of synthetic answers, cast through the real door.

Every synthetic answer goes through the same path as a real one: a link digest is minted for
the invitation, `cast_answers` redeems it and seals the ballot, the cycle closes, and pulse's
tick sweeps and releases. Teams get a "climate" of their own, so the dashboards have real
differences to show, and most teams improve a little from one cycle to the next.
"""

import random
from datetime import datetime, timedelta

from django.utils import timezone

from pulse.ballot_box import cast_answers
from pulse.scheduler import run_pulse_tick
from pulse.sweep import sweep
from surveys.closing import close_cycle
from surveys.instrument import ENPS_MAX, ENPS_MIN, SCALE_MAX, SCALE_MIN
from surveys.launch import create_cycle, launch_cycle
from surveys.models import Cadence, Cycle, CycleState, Invitation, InvitationToken
from surveys.redemption import look_up
from surveys.schedule import Period
from surveys.tokens import new_token, token_digest

PARTICIPATION = 0.8
COMMENTS = [
    "Retros feel like a safe place to say what went wrong.",
    "I would like more time for pairing when someone is stuck.",
    "Decisions sometimes arrive without anyone asking us first.",
    "People here genuinely celebrate learning from mistakes.",
    "New joiners are welcomed, but meetings favour the loudest voices.",
    "I am not always sure it is fine to push back on priorities.",
]


def seed_demo_results(
    *, cadence: Cadence, now: datetime | None = None, release: bool = True
) -> list[Cycle]:
    """Two released monthly cycles ending before `now`; running again adds nothing.

    `release=False` stops after storing the answers, before the release deletes them (the
    disclosure-cost bench reads them first)."""
    now = now or timezone.now()
    # Synthetic demo answers, reproducible on purpose: no secret comes from this generator.
    rng = random.Random(2026)
    cycles = []
    for months_ago, improvement in ((2, 0.0), (1, 0.35)):
        opens_at = (now - timedelta(days=30 * months_ago)).replace(
            minute=0, second=0, microsecond=0
        )
        label = opens_at.strftime("%Y-%m")
        existing = Cycle.objects.filter(cadence=cadence, period=label).first()
        if existing:
            cycles.append(existing)
            continue
        cycle = create_cycle(
            cadence=cadence,
            period=Period(label=label, opens_at=opens_at, closes_at=opens_at + timedelta(days=7)),
        )
        if cycle is None:
            continue  # created between the look-up and here, by a second seed_demo
        launch_cycle(cycle_id=cycle.pk)
        cycle.refresh_from_db()
        if cycle.state != CycleState.OPEN:
            continue  # e.g. the population is below k; nothing to show
        answer_cycle(cycle, rng, improvement)
        close_cycle(cycle_id=cycle.pk, now=opens_at + timedelta(days=7))
        cycles.append(cycle)
    if release:
        run_pulse_tick()
    else:
        sweep()
    return cycles


def answer_cycle(cycle: Cycle, rng: random.Random, improvement: float) -> None:
    items = list(cycle.items.all())
    invitations = Invitation.objects.filter(cycle=cycle).select_related("reporting_unit")
    # In a fixed order, so the seeded answers, and the demo's results, are the same everywhere.
    for invitation in invitations.order_by("pk"):
        if rng.random() > PARTICIPATION:
            continue
        climate = team_climate(invitation.reporting_unit.name) + improvement
        token = new_token()
        InvitationToken.objects.create(invitation=invitation, digest=token_digest(token))
        # The questions of this person's link: the follow-through item only where it is asked.
        survey = look_up(token).survey
        asked = {question.key for question in survey.questions} if survey else set()
        answers = {}
        for item in items:
            if item.key not in asked:
                continue
            if rng.random() < 0.04:
                continue  # a few skips, as people do
            keyed = round(rng.gauss(climate + domain_offset(item.domain), 1.1))
            keyed = min(SCALE_MAX, max(SCALE_MIN, keyed))
            answers[item.key] = SCALE_MIN + SCALE_MAX - keyed if item.reverse_scored else keyed
        enps = min(ENPS_MAX, max(ENPS_MIN, round(rng.gauss(climate * 1.45, 2.0))))
        comment = rng.choice(COMMENTS) if rng.random() < 0.3 else ""
        cast_answers(token=token, data={"answers": answers, "enps": enps, "comment": comment})


def team_climate(name: str) -> float:
    """A stable 3.6-5.9 per team name: some teams thrive, some struggle."""
    return 3.6 + (sum(map(ord, name)) % 24) / 10


def domain_offset(domain: str) -> float:
    # Speaking up is the usual weak spot; helping each other the usual strength.
    return {"conversation": -0.6, "risk": -0.2, "help": 0.4, "inclusivity": 0.1}.get(domain, 0)
