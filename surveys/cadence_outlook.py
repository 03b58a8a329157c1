"""What a cadence will do next, in HR's words: the state of this period's survey, and the next
opening dates, in the cadence's own time zone. Reads only."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from surveys.models import Cadence, Cycle, CycleState
from surveys.schedule import ScheduleRule, due_period, period_containing, upcoming_periods

OPENINGS_SHOWN = 3


@dataclass(frozen=True)
class Opening:
    period: str  # "2026-Q1"
    opens: str  # "Monday 5 January 2026, 09:00"
    closes: str


@dataclass(frozen=True)
class CadenceOutlook:
    time_zone: str
    now: str  # this moment in the cadence's time zone, for reading the sentence below
    this_period: str  # what happens with the current period's survey, as a sentence
    launch_now_possible: bool  # this period has no survey and will not get one by itself
    openings: list[Opening]


def local_time(moment: datetime, time_zone: str) -> str:
    local = moment.astimezone(ZoneInfo(time_zone))
    return f"{local:%A} {local.day} {local:%B %Y, %H:%M}"


def cadence_outlook(
    *, rule: ScheduleRule, now: datetime, cadence: Cadence | None = None
) -> CadenceOutlook:
    """`cadence`: the saved cadence, when there is one (its cycles and since when it exists);
    None for settings not saved yet, which would exist from `now`."""
    zone = rule.time_zone
    openings = [
        Opening(
            period=period.label,
            opens=local_time(period.opens_at, zone),
            closes=local_time(period.closes_at, zone),
        )
        for period in upcoming_periods(rule, now, OPENINGS_SHOWN)
    ]
    sentence, launchable = this_period(rule, now, cadence, openings[0])
    return CadenceOutlook(
        time_zone=zone,
        now=local_time(now, zone),
        this_period=sentence,
        launch_now_possible=launchable,
        openings=openings,
    )


def this_period(
    rule: ScheduleRule, now: datetime, cadence: Cadence | None, next_opening: Opening
) -> tuple[str, bool]:
    zone = rule.time_zone
    due = due_period(rule, now)
    period = due or period_containing(rule, now)
    cycle = (
        Cycle.objects.filter(cadence=cadence, period=period.label).first()
        if cadence is not None and cadence.pk is not None
        else None
    )
    then = f"The next survey opens on {next_opening.opens} ({next_opening.period})."
    if cycle is not None:
        state = {
            CycleState.OPEN: f"is open until {local_time(cycle.closes_at, zone)}",
            CycleState.SCHEDULED: f"launches on {local_time(cycle.opens_at, zone)}",
            CycleState.CLOSED: "has closed",
        }[CycleState(cycle.state)]
        return f"This period's survey ({period.label}) {state}. {then}", False
    if cadence is not None and not cadence.active:
        return f"This cadence is paused: nothing launches until it is active again. {then}", False
    if period.opens_at > now:
        return then, False
    existed_from = cadence.created_at if cadence is not None and cadence.pk else now
    if due is not None and period.opens_at >= existed_from:
        return (
            f"This period's survey ({period.label}) is due now: it launches within a minute.",
            False,
        )
    opened = local_time(period.opens_at, zone)
    if due is not None:
        return (
            f"This period's survey ({period.label}) was due on {opened}, before this cadence "
            "existed, so it does not launch by itself. Launch now to survey this period, or "
            f"wait: {then[0].lower()}{then[1:]}",
            True,
        )
    return (
        f"This period's survey ({period.label}) was due on {opened} and its window has passed; "
        f"nothing launches for it by itself. Launch now to survey this period anyway, or wait: "
        f"{then[0].lower()}{then[1:]}",
        True,
    )
