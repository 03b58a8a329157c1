"""A focus a manager chose and shared after an earlier, closed survey, and a new survey
launched after it: what the tests of the loop's anonymous side start from."""

from datetime import date, timedelta

from django.utils import timezone

from surveys.launch import launch_now
from surveys.models import Cadence, Commitment, Cycle, CycleState, Focus
from surveys.scheduler import run_tick
from teams.models import Team
from tests.anonymity.conftest import Survey, emailed_links

COMMITMENTS = (
    ("Start each retro with what went wrong for me", "doing", date(2027, 1, 15)),
    ("Ask the quietest person first in planning", "planned", None),
)


def earlier_closed_cycle(name: str = "Last month") -> Cycle:
    now = timezone.now()
    cadence = Cadence.objects.create(name=name, kind="monthly")
    return Cycle.objects.create(
        cadence=cadence,
        period="2026-11",
        kind="monthly",
        state=CycleState.CLOSED,
        opens_at=now - timedelta(days=40),
        closes_at=now - timedelta(days=33),
        closed_at=now - timedelta(days=33),
        k=5,
        k_comment=10,
    )


def focus_for(
    team: Team,
    *,
    domain: str = "conversation",
    shared: bool = True,
    note: str = "",
    cycle: Cycle | None = None,
    commitments: tuple[tuple[str, str, date | None], ...] = COMMITMENTS,
) -> Focus:
    focus = Focus.objects.create(
        team=team,
        cycle=cycle or earlier_closed_cycle(f"Earlier pulse of {team.name}"),
        domain=domain,
        note=note,
        shared_at=timezone.now() if shared else None,
    )
    for position, (text, status, due_on) in enumerate(commitments, start=1):
        Commitment.objects.create(
            focus=focus, position=position, text=text, status=status, due_on=due_on
        )
    return focus


def launch_survey(name: str = "Monthly pulse") -> Survey:
    cadence = Cadence.objects.create(name=name, kind="monthly")
    cycle = launch_now(cadence=cadence, now=timezone.now())
    run_tick()
    return Survey(cycle=cycle, links=emailed_links())
