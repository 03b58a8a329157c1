"""Validation of a cadence's settings, shared by the admin and the API."""

from dataclasses import dataclass
from zoneinfo import ZoneInfo, available_timezones

from surveys.instrument import MIN_K, SurveyKind
from surveys.schedule import ScheduleKind, shortest_period_days

MAX_REMINDERS = 3


@dataclass(frozen=True)
class KindDefaults:
    window_days: int
    reminder_offsets: tuple[int, ...]


# A new cadence's window and reminders when HR does not choose them. The quarterly full set is
# longer, and people get two weeks for it, reminded after one and after a second working week.
KIND_DEFAULTS = {
    SurveyKind.MONTHLY_PULSE: KindDefaults(window_days=7, reminder_offsets=(3, 5)),
    SurveyKind.QUARTERLY_FULL: KindDefaults(window_days=14, reminder_offsets=(5, 10)),
}


def defaults_for(kind: str) -> KindDefaults:
    """The defaults of `kind`; an unknown kind (refused elsewhere) gets the monthly ones."""
    if kind == SurveyKind.QUARTERLY_FULL:
        return KIND_DEFAULTS[SurveyKind.QUARTERLY_FULL]
    return KIND_DEFAULTS[SurveyKind.MONTHLY_PULSE]


def cadence_problems(
    *,
    kind: str,
    schedule_kind: str,
    day_of_month: int,
    week_of_month: int,
    weekday: int,
    send_hour: int,
    time_zone: str,
    window_days: int,
    reminder_offsets: object,
    k: int,
    k_comment: int,
) -> dict[str, str]:
    """Field name → why the value cannot work. Empty when the settings are consistent."""
    problems: dict[str, str] = {}
    if time_zone not in available_timezones():
        try:
            ZoneInfo(time_zone)
        except (ValueError, KeyError, OSError):
            problems["time_zone"] = (
                f'"{time_zone}" is not a known time zone; use an IANA name such as '
                '"Europe/Berlin" or "America/New_York".'
            )
    if not 0 <= send_hour <= 23:
        problems["send_hour"] = "The send hour must be between 0 and 23."
    if schedule_kind == ScheduleKind.DAY_OF_MONTH and not 1 <= day_of_month <= 31:
        problems["day_of_month"] = "The day of the month must be between 1 and 31."
    if schedule_kind == ScheduleKind.NTH_WEEKDAY:
        if not 1 <= week_of_month <= 5:
            problems["week_of_month"] = "Use 1 to 4 for the nth weekday, or 5 for the last one."
        if not 0 <= weekday <= 6:
            problems["weekday"] = "The weekday must be 0 (Monday) to 6 (Sunday)."
    longest = shortest_period_days(kind)
    if window_days < 1:
        problems["window_days"] = "The response window must be at least 1 day."
    elif window_days > longest:
        problems["window_days"] = (
            f"A {window_days}-day window is longer than the period: the next survey would "
            f"open before this one closes. Use at most {longest} days."
        )
    reminder_problem = reminder_offsets_problem(reminder_offsets, window_days)
    if reminder_problem:
        problems["reminder_offsets"] = reminder_problem
    if k < MIN_K:
        problems["k"] = f"The minimum group size k must be at least {MIN_K}."
    if k_comment < k:
        problems["k_comment"] = (
            "The minimum group size for comments must be at least k, since comments are "
            "easier to attribute than scores."
        )
    return problems


def reminder_offsets_problem(offsets: object, window_days: int) -> str | None:
    if not isinstance(offsets, list) or not all(
        isinstance(day, int) and not isinstance(day, bool) for day in offsets
    ):
        return "Reminder offsets must be a list of whole days, for example [3, 5]."
    if len(offsets) > MAX_REMINDERS:
        return f"At most {MAX_REMINDERS} reminders; {len(offsets)} were given."
    if any(day < 1 for day in offsets):
        return "A reminder must come at least 1 day after the survey opens."
    if sorted(set(offsets)) != offsets:
        return "Reminder offsets must be in increasing order, without repeats."
    late = [day for day in offsets if day >= window_days]
    if late:
        return (
            f"A reminder on day {late[0]} would go out after the survey closes "
            f"(the window is {window_days} days)."
        )
    return None
