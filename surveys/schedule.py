"""When a cadence's surveys open and close: pure functions of the cadence and a moment.

Times are stored in UTC; a cadence is defined in the organisation's time zone. The day of month
is clamped to the month's last day (the 31st means the 30th in April, the 28th or 29th in
February). A send hour that does not exist on a spring-forward day is taken at the same
distance after midnight in standard time, i.e. one hour later on the wall clock; a send hour that
happens twice on a fall-back day is taken at its first occurrence. Either way: once per period.
"""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import models

from surveys.instrument import SurveyKind

LAST_WEEK = 5  # "nth weekday" with n = 5 means the last such weekday of the month


class ScheduleKind(models.TextChoices):
    DAY_OF_MONTH = "day_of_month", "Day of the month"
    NTH_WEEKDAY = "nth_weekday", "Nth weekday of the month"


@dataclass(frozen=True)
class ScheduleRule:
    kind: str  # SurveyKind
    schedule_kind: str  # ScheduleKind
    day_of_month: int  # 1..31, for DAY_OF_MONTH
    week_of_month: int  # 1..4, or LAST_WEEK, for NTH_WEEKDAY
    weekday: int  # 0 = Monday .. 6 = Sunday, for NTH_WEEKDAY
    send_hour: int  # 0..23, local time
    time_zone: str  # IANA name
    window_days: int


@dataclass(frozen=True)
class Period:
    label: str  # "2026-11" for a month, "2026-Q4" for a quarter
    opens_at: datetime  # UTC
    closes_at: datetime  # UTC


def period_start_month(kind: str, year: int, month: int) -> tuple[int, int]:
    """The first month of the period that contains (year, month)."""
    if kind == SurveyKind.QUARTERLY_FULL:
        return year, (month - 1) // 3 * 3 + 1
    return year, month


def period_label(kind: str, year: int, month: int) -> str:
    if kind == SurveyKind.QUARTERLY_FULL:
        return f"{year}-Q{(month - 1) // 3 + 1}"
    return f"{year}-{month:02d}"


def send_day(rule: ScheduleRule, year: int, month: int) -> date:
    last_day = calendar.monthrange(year, month)[1]
    if rule.schedule_kind == ScheduleKind.DAY_OF_MONTH:
        return date(year, month, min(rule.day_of_month, last_day))
    days = [
        date(year, month, day)
        for day in range(1, last_day + 1)
        if date(year, month, day).weekday() == rule.weekday
    ]
    return days[-1] if rule.week_of_month == LAST_WEEK else days[rule.week_of_month - 1]


def local_to_utc(day: date, hour: int, time_zone: str) -> datetime:
    zone = ZoneInfo(time_zone)
    # fold=0: the first of two ambiguous times; in a gap, the pre-transition offset applies.
    local = datetime.combine(day, time(hour), tzinfo=zone)
    return local.astimezone(ZoneInfo("UTC"))


def period_containing(rule: ScheduleRule, moment: datetime) -> Period:
    """The period of `rule` that the local date of `moment` falls in."""
    local = moment.astimezone(ZoneInfo(rule.time_zone))
    year, month = period_start_month(rule.kind, local.year, local.month)
    return period_for_month(rule, year, month)


def period_for_month(rule: ScheduleRule, year: int, month: int) -> Period:
    opens_at = local_to_utc(send_day(rule, year, month), rule.send_hour, rule.time_zone)
    return Period(
        label=period_label(rule.kind, year, month),
        opens_at=opens_at,
        closes_at=opens_at + timedelta(days=rule.window_days),
    )


def months_in_period(kind: str) -> int:
    return 3 if kind == SurveyKind.QUARTERLY_FULL else 1


def shortest_period_days(kind: str) -> int:
    """A window may not outlast the shortest period, or two cycles of one cadence would overlap."""
    return 89 if kind == SurveyKind.QUARTERLY_FULL else 28


def due_period(rule: ScheduleRule, now: datetime) -> Period | None:
    """The period whose survey should be open at `now`, if any.

    Looks at the current period and the one before (a window can run into the next period's
    first days before that period's send day).
    """
    current = period_containing(rule, now)
    local = current.opens_at.astimezone(ZoneInfo(rule.time_zone))
    step_back = months_in_period(rule.kind)
    previous_month = local.month - step_back
    previous_year = local.year + (previous_month - 1) // 12
    previous = period_for_month(rule, previous_year, (previous_month - 1) % 12 + 1)
    for period in (current, previous):
        if period.opens_at <= now < period.closes_at:
            return period
    return None


def upcoming_periods(rule: ScheduleRule, now: datetime, count: int) -> list[Period]:
    """The next `count` periods whose surveys open after `now`, in order."""
    local = now.astimezone(ZoneInfo(rule.time_zone))
    year, month = period_start_month(rule.kind, local.year, local.month)
    upcoming: list[Period] = []
    while len(upcoming) < count:
        period = period_for_month(rule, year, month)
        if period.opens_at > now:
            upcoming.append(period)
        month += months_in_period(rule.kind)
        year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return upcoming
