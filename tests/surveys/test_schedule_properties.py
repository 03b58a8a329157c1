"""Exactly one survey per period, at the configured local hour, whatever the calendar does:
DST switches in both hemispheres, 30-day months, February in leap years, half-hour zones."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from surveys.launch import schedule_rule
from surveys.models import Cadence, Cycle
from surveys.schedule import LAST_WEEK, ScheduleRule, due_period, period_for_month
from surveys.scheduler import run_tick

ZONES = [
    "Europe/London",
    "America/New_York",
    "Australia/Sydney",  # DST in the southern summer
    "Asia/Kolkata",  # +05:30, no DST
    "America/St_Johns",  # -03:30 with DST
    "Pacific/Auckland",
    "UTC",
]


@st.composite
def rules(draw: st.DrawFn) -> ScheduleRule:
    return ScheduleRule(
        kind=draw(st.sampled_from(["monthly", "quarterly"])),
        schedule_kind=draw(st.sampled_from(["day_of_month", "nth_weekday"])),
        day_of_month=draw(st.sampled_from([1, 15, 28, 29, 30, 31])),
        week_of_month=draw(st.sampled_from([1, 2, 4, LAST_WEEK])),
        weekday=draw(st.integers(0, 6)),
        send_hour=draw(st.integers(0, 23)),
        time_zone=draw(st.sampled_from(ZONES)),
        window_days=draw(st.sampled_from([1, 3, 7, 14])),
    )


def expected_opening(rule: ScheduleRule, day: date) -> datetime:
    """The first moment at which the local wall clock on `day` shows the send hour or later.

    On an ordinary day that is the send hour itself. On a spring-forward day whose gap swallows
    the send hour, it is the end of the gap (02:00 does not exist, so 03:00). On a fall-back
    day where the send hour happens twice, it is the first of the two. Found by scanning UTC
    in quarter hours and reading the wall clock, not by converting local to UTC, so it does not
    share the schedule's own conversion.
    """
    zone = ZoneInfo(rule.time_zone)
    wanted = datetime.combine(day, time(rule.send_hour))
    moment = wanted.replace(tzinfo=UTC) - timedelta(hours=15)  # offsets are within ±14 h
    while moment.astimezone(zone).replace(tzinfo=None) < wanted:
        moment += timedelta(minutes=15)
    return moment


def is_changeover_day(time_zone: str, day: date) -> bool:
    zone = ZoneInfo(time_zone)
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day, time(23, 59), tzinfo=zone)
    return start.utcoffset() != end.utcoffset()


def assert_opens_at_the_local_send_hour(rule: ScheduleRule, opens_at: datetime) -> None:
    """Exactly the configured wall-clock hour; only on a DST changeover day may it differ, and
    then exactly as the rule for missing and repeated hours says."""
    local = opens_at.astimezone(ZoneInfo(rule.time_zone))
    assert opens_at == expected_opening(rule, local.date()), (
        f"opened at {local:%Y-%m-%d %H:%M %Z}, expected the first {rule.send_hour:02d}:00 "
        f"(or the end of a DST gap) on {local.date()}"
    )
    if (local.hour, local.minute) != (rule.send_hour, 0):
        assert is_changeover_day(rule.time_zone, local.date())
        assert local.hour == (rule.send_hour + 1) % 24


@settings(max_examples=40, deadline=None)
@given(rule=rules(), year=st.sampled_from([2027, 2028, 2031, 2032]))
def test_stepping_through_a_year_hour_by_hour_finds_one_opening_per_period(rule, year) -> None:
    openings: dict[str, set[datetime]] = {}
    moment = datetime(year, 1, 1, tzinfo=UTC)
    # One day past the UTC new year: west of UTC, a December survey can open after UTC midnight
    # (the 31st at 19:00 in New York is already the next year in UTC).
    end = datetime(year + 1, 1, 2, tzinfo=UTC)
    while moment < end:
        period = due_period(rule, moment)
        if period:
            openings.setdefault(period.label, set()).add(period.opens_at)
            assert period.opens_at <= moment < period.closes_at
        moment += timedelta(hours=1)
    periods_per_year = 4 if rule.kind == "quarterly" else 12
    # The first period of the year may belong to the previous December / Q4 window.
    this_year = {label: opens for label, opens in openings.items() if label.startswith(str(year))}
    assert len(this_year) == periods_per_year
    for label, opens in this_year.items():
        assert len(opens) == 1, f"{label} opened at several times: {opens}"
        (opens_at,) = opens
        assert_opens_at_the_local_send_hour(rule, opens_at)
        assert_right_day(rule, opens_at.astimezone(ZoneInfo(rule.time_zone)).date())


def assert_right_day(rule: ScheduleRule, day: date) -> None:
    if rule.kind == "quarterly":
        assert day.month in (1, 4, 7, 10)
    if rule.schedule_kind == "day_of_month":
        next_month = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
        last_day = (next_month - timedelta(days=1)).day
        assert day.day == min(rule.day_of_month, last_day)
    else:
        assert day.weekday() == rule.weekday
        if rule.week_of_month == LAST_WEEK:
            assert (day + timedelta(days=7)).month != day.month
        else:
            assert (day.day - 1) // 7 + 1 == rule.week_of_month


def test_the_31st_means_the_29th_in_a_leap_february_and_the_28th_otherwise() -> None:
    rule = ScheduleRule("monthly", "day_of_month", 31, 1, 0, 9, "Europe/Berlin", 7)
    assert due_period(rule, datetime(2028, 2, 29, 7, 59, tzinfo=UTC)) is None
    leap = due_period(rule, datetime(2028, 2, 29, 8, tzinfo=UTC))
    assert leap and (leap.label, leap.opens_at) == ("2028-02", datetime(2028, 2, 29, 8, tzinfo=UTC))
    plain = due_period(rule, datetime(2027, 3, 1, 8, tzinfo=UTC))
    assert plain and (plain.label, plain.opens_at) == (
        "2027-02",
        datetime(2027, 2, 28, 8, tzinfo=UTC),
    )


def test_a_send_hour_inside_the_spring_forward_gap_opens_once_an_hour_later() -> None:
    # New York skips 02:00-03:00 on Sunday 14 March 2027.
    rule = ScheduleRule("monthly", "nth_weekday", 1, 2, 6, 2, "America/New_York", 7)
    period = due_period(rule, datetime(2027, 3, 14, 12, tzinfo=UTC))
    assert period and period.opens_at == datetime(2027, 3, 14, 7, tzinfo=UTC)  # 03:00 EDT


def test_a_send_hour_that_happens_twice_on_the_fall_back_day_opens_at_the_first() -> None:
    # New York repeats 01:00-02:00 on Sunday 7 November 2027: 01:00 EDT, then 01:00 EST.
    rule = ScheduleRule("monthly", "nth_weekday", 1, 1, 6, 1, "America/New_York", 7)
    period = due_period(rule, datetime(2027, 11, 7, 12, tzinfo=UTC))
    assert period is not None
    assert period.opens_at == datetime(2027, 11, 7, 5, tzinfo=UTC)  # 01:00 EDT, not 06:00 UTC


@pytest.mark.parametrize(
    ("zone", "day", "opens_at"),
    [
        ("Europe/London", date(2027, 7, 15), datetime(2027, 7, 15, 8, tzinfo=UTC)),  # BST
        ("Europe/London", date(2027, 1, 15), datetime(2027, 1, 15, 9, tzinfo=UTC)),  # GMT
        ("America/New_York", date(2027, 7, 15), datetime(2027, 7, 15, 13, tzinfo=UTC)),
        ("Australia/Sydney", date(2027, 1, 15), datetime(2027, 1, 14, 22, tzinfo=UTC)),  # AEDT
        ("Australia/Sydney", date(2027, 7, 15), datetime(2027, 7, 14, 23, tzinfo=UTC)),  # AEST
        ("Asia/Kolkata", date(2027, 7, 15), datetime(2027, 7, 15, 3, 30, tzinfo=UTC)),
    ],
)
def test_summer_and_winter_surveys_open_at_nine_on_the_local_clock(zone, day, opens_at) -> None:
    rule = ScheduleRule("monthly", "day_of_month", 15, 1, 0, 9, zone, 7)
    assert period_for_month(rule, day.year, day.month).opens_at == opens_at
    assert expected_opening(rule, day) == opens_at


@pytest.mark.django_db
@pytest.mark.parametrize("zone", ZONES[:5])
def test_ticking_every_ten_minutes_around_dst_changes_creates_one_cycle_per_month(zone) -> None:
    cadence = Cadence.objects.create(
        name=f"Pulse {zone}", kind="monthly", day_of_month=31, send_hour=2, time_zone=zone
    )
    Cadence.objects.filter(pk=cadence.pk).update(created_at=datetime(2020, 1, 1, tzinfo=UTC))
    # Around each month's opening in a year with DST changes in March/April and Oct/Nov.
    for month in range(1, 13):
        opening = due_period_opening(cadence, 2027, month)
        moment = opening - timedelta(hours=3)
        while moment < opening + timedelta(hours=3):
            with time_machine.travel(moment, tick=False):
                run_tick()
            moment += timedelta(minutes=10)
    cycles = list(Cycle.objects.filter(cadence=cadence).order_by("opens_at"))
    assert [cycle.period for cycle in cycles] == [f"2027-{month:02d}" for month in range(1, 13)]
    rule = schedule_rule(cadence)
    for cycle in cycles:
        assert_opens_at_the_local_send_hour(rule, cycle.opens_at)


def due_period_opening(cadence: Cadence, year: int, month: int) -> datetime:
    return period_for_month(schedule_rule(cadence), year, month).opens_at
