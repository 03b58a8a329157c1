"""Demo results: two closed, released cycles of synthetic answers, cast through the real door.

Every synthetic answer goes through the same path as a real one: a link digest is minted for
the invitation, `cast_answers` redeems it and seals the ballot, the cycle closes, and pulse's
tick sweeps and releases. After the first release the managers choose a focus, write
commitments and share them (the loop after the results). Teams get a "climate" of their own,
so the dashboards have real differences to show, and most teams improve a little from one
cycle to the next.
"""

import math
import random
from datetime import datetime, timedelta

from django.utils import timezone

from customers.demo import seed_demo_values
from customers.selectors import months_of, period_after
from customers.services import ValueImportSummary
from pulse.ballot_box import cast_answers
from pulse.release_models import ReleasedUnit, ReleaseStatus
from pulse.scheduler import run_pulse_tick
from pulse.sweep import sweep
from surveys.closing import close_cycle
from surveys.focus import CommitmentInput, save_focus, set_commitment_status, share_focus
from surveys.instrument import ENPS_MAX, ENPS_MIN, SCALE_MAX, SCALE_MIN
from surveys.launch import create_cycle, launch_cycle
from surveys.models import (
    Cadence,
    CommitmentStatus,
    Cycle,
    CycleState,
    CycleTeam,
    Focus,
    Invitation,
    InvitationToken,
)
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


# Months before now of the demo's cycles, and how much better every team's climate is then.
IMPROVEMENTS = ((2, 0.0), (1, 0.35))
# In these teams everyone answers, every month; elsewhere PARTICIPATION of the people do.
# Nothing kept past close says who answered, so only where everyone answered both times can
# a second release show whole points (pulse.trends): the demo shows both kinds.
EVERYONE_ANSWERS = {"Platform", "Support Europe North"}


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
    for months_ago, improvement in IMPROVEMENTS:
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
        deliver_by_hand(cycle)
        answer_cycle(cycle, rng, improvement)
        close_cycle(cycle_id=cycle.pk, now=opens_at + timedelta(days=7))
        cycles.append(cycle)
        if release:
            # Released before the next cycle launches, so the managers' focuses chosen after
            # it are there when the next cycle freezes its snapshot, as they would be for real.
            run_pulse_tick()
            if months_ago == 2:
                seed_demo_focuses(cycle)
    if release:
        run_pulse_tick()
    else:
        sweep()
    return cycles


def seed_demo_customer_metrics(*, cycles: list[Cycle]) -> ValueImportSummary:
    """Customer metrics for the months of the demo's cycles and the month after the last, each
    team's following the climate its people answered in (that of its reporting unit, as in
    answer_cycle), so the linked view has a plausible relation to show. The month after keeps
    the last climate: customers feel a team's change a little later."""
    climate_by_month: dict[str, dict[int, float]] = {}
    ordered = sorted(cycles, key=lambda cycle: cycle.opens_at)
    for cycle, (_, improvement) in zip(ordered, IMPROVEMENTS[-len(ordered) :], strict=False):
        climates = {
            team.team_id: team_climate(team.reporting_unit.name) + improvement
            for team in CycleTeam.objects.filter(cycle=cycle, team__isnull=False).select_related(
                "reporting_unit"
            )
            if team.team_id is not None and team.reporting_unit is not None
        }
        for month in months_of(cycle.period):
            climate_by_month[month] = climates
    if ordered:
        last = ordered[-1].period
        climate_by_month[months_of(period_after(last))[0]] = climate_by_month[months_of(last)[-1]]
    return seed_demo_values(climate_by_month=climate_by_month)


DEMO_COMMITMENTS = {
    "risk": (
        "Open each team meeting with a mistake of mine and what I learned",
        "Blameless review after every incident, notes shared with the team",
    ),
    "conversation": (
        "Ask for the strongest argument against before closing a decision",
        "A monthly retro in which I speak last",
    ),
    "help": (
        "A standing 'where are you stuck?' round in the weekly meeting",
        "Pair on the stuck items first thing the day after",
    ),
    "inclusivity": (
        "Rotate who runs the team meeting",
        "Collect written input before each discussion",
    ),
}
# Left without a focus, so HR's follow-through page shows a unit that still needs one.
DEMO_UNIT_WITHOUT_FOCUS = "Sales"


def seed_demo_focuses(cycle: Cycle) -> None:
    """The loop after the first demo release: each manager with released figures chose the
    weakest domain, wrote two commitments and shared them; one is done, one under way."""
    if Focus.objects.filter(cycle=cycle).exists():
        return
    released = ReleasedUnit.objects.filter(cycle=cycle, status=ReleaseStatus.RELEASED)
    for unit in released.select_related("unit", "unit__manager__user").order_by("unit__name"):
        team, manager = unit.unit.team, unit.unit.manager
        domains = unit.figures.get("domains", {})
        if team is None or manager is None or not domains or team.name == DEMO_UNIT_WITHOUT_FOCUS:
            continue
        weakest = min(domains, key=lambda domain: domains[domain]["score"])
        focus = save_focus(
            team=team,
            cycle=cycle,
            domain=weakest,
            commitments=[CommitmentInput(text=text) for text in DEMO_COMMITMENTS[weakest]],
            note="Thank you for the honest answers. The first commitment is done; the second is "
            "under way, and we will look at how it goes at the next retro.",
            chosen_by=manager.user,
        )
        first, second = focus.commitments.order_by("position")
        set_commitment_status(commitment=first, status=CommitmentStatus.DONE)
        set_commitment_status(commitment=second, status=CommitmentStatus.DOING)
        share_focus(focus=focus)


def deliver_by_hand(cycle: Cycle) -> None:
    """Record every invitation of a past demo cycle as delivered once.

    The demo hands each synthetic person their link itself (answer_cycle) rather than emailing
    weeks-old surveys into the development outbox; without this its past cycles would say
    "0 sent" next to the answers of people who plainly got their link."""
    Invitation.objects.filter(cycle=cycle).update(emails_sent=1)


def answer_cycle(cycle: Cycle, rng: random.Random, improvement: float) -> None:
    items = list(cycle.items.all())
    invitations = Invitation.objects.filter(cycle=cycle).select_related("reporting_unit", "person")
    # The questions of a unit's links, as the door gives them (the follow-through item only
    # where it is asked): every link of one reporting unit asks the same, so one look-up each.
    asked_in_unit: dict[int, set[str]] = {}
    # In a fixed order, so the seeded answers, and the demo's results, are the same everywhere.
    for invitation in answering_invitations(list(invitations.order_by("pk"))):
        climate = team_climate(invitation.reporting_unit.name) + improvement
        token = new_token()
        InvitationToken.objects.create(invitation=invitation, digest=token_digest(token))
        if invitation.reporting_unit_id not in asked_in_unit:
            survey = look_up(token).survey
            asked_in_unit[invitation.reporting_unit_id] = (
                {question.key for question in survey.questions} if survey else set()
            )
        asked = asked_in_unit[invitation.reporting_unit_id]
        answers = {}
        for item in items:
            if item.key not in asked:
                continue
            keyed = round(rng.gauss(climate + domain_offset(item.domain), 1.1))
            keyed = min(SCALE_MAX, max(SCALE_MIN, keyed))
            answers[item.key] = SCALE_MIN + SCALE_MAX - keyed if item.reverse_scored else keyed
        enps = min(ENPS_MAX, max(ENPS_MIN, round(rng.gauss(climate * 1.45, 2.0))))
        comment = rng.choice(COMMENTS) if rng.random() < 0.3 else ""
        cast_answers(token=token, data={"answers": answers, "enps": enps, "comment": comment})


def habit_draw(employee_id: str) -> random.Random:
    # Synthetic demo habits, reproducible on purpose: no secret comes from this generator.
    return random.Random(f"habit:{employee_id}")


def answering_invitations(invitations: list[Invitation]) -> list[Invitation]:
    """Everyone of the reporting units EVERYONE_ANSWERS names, and PARTICIPATION of the
    others' people (rounded up), the same ones every cycle, as in a settled team."""
    by_unit: dict[int, list[Invitation]] = {}
    for invitation in invitations:
        by_unit.setdefault(invitation.reporting_unit_id, []).append(invitation)
    answering: set[int] = set()
    for members in by_unit.values():
        keen_first = sorted(members, key=lambda inv: habit_draw(inv.person.employee_id).random())
        share = 1.0 if members[0].reporting_unit.name in EVERYONE_ANSWERS else PARTICIPATION
        answering.update(inv.pk for inv in keen_first[: math.ceil(share * len(members))])
    return [invitation for invitation in invitations if invitation.pk in answering]


def team_climate(name: str) -> float:
    """A stable 3.6-5.9 per team name: some teams thrive, some struggle."""
    return 3.6 + (sum(map(ord, name)) % 24) / 10


def domain_offset(domain: str) -> float:
    # Speaking up is the usual weak spot; helping each other the usual strength.
    return {"conversation": -0.6, "risk": -0.2, "help": 0.4, "inclusivity": 0.1}.get(domain, 0)
