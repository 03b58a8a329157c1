"""The cadence form of HR's pages, in HR's words: weekday names, a time-zone list, reminder days
as "3, 5". What is valid is decided by surveys.cadence_rules, as for the admin and the API; this
form only turns words into values and puts each problem next to its field, once."""

import re
from collections import defaultdict
from typing import Any
from zoneinfo import available_timezones

from django import forms

from surveys.cadence_rules import cadence_problems, defaults_for
from surveys.instrument import MIN_K, SurveyKind
from surveys.models import Cadence
from surveys.schedule import LAST_WEEK, ScheduleKind, ScheduleRule
from teams.models import Team

WEEKDAYS = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]
WEEKS = [(1, "First"), (2, "Second"), (3, "Third"), (4, "Fourth"), (LAST_WEEK, "Last")]
HOURS = [(hour, f"{hour:02d}:00") for hour in range(24)]
DAYS = [(day, str(day)) for day in range(1, 32)]
SCHEDULES = [
    (ScheduleKind.DAY_OF_MONTH.value, "On a day of the month"),
    (ScheduleKind.NTH_WEEKDAY.value, "On a weekday of the month, such as the first Monday"),
]
# The regions of the IANA list; the rest of it (US/Eastern, Etc/GMT+3, …) are old aliases.
REGIONS = (
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
)
EVERYONE = "everyone"
REMINDER_DAYS = re.compile(r"^\s*\d+(\s*,\s*\d+)*\s*$")


def time_zone_choices(current: str = "") -> list[tuple[str, list[tuple[str, str]]]]:
    """Time zones grouped by region, for a <select> with an <optgroup> per region."""
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for name in available_timezones():
        region, _, place = name.partition("/")
        if region in REGIONS and place:
            groups[region].append((name, place.replace("_", " ")))
    other = [("UTC", "UTC")]
    if (
        current
        and current != "UTC"
        and not any(current == n for g in groups.values() for n, _ in g)
    ):
        other.append((current, current))  # an alias saved earlier stays choosable
    return [(region, sorted(groups[region])) for region in REGIONS] + [("Other", other)]


class CadenceForm(forms.Form):
    name = forms.CharField(max_length=120, label="Name")
    kind = forms.ChoiceField(choices=SurveyKind.choices, label="Survey")
    population = forms.ChoiceField(
        label="Who is surveyed",
        help_text="A team means that team and every team below it.",
        error_messages={
            "required": "The team this cadence surveyed no longer exists: choose who is "
            "surveyed now.",
            "invalid_choice": "That team no longer exists: choose another, or everyone.",
        },
    )
    schedule_kind = forms.ChoiceField(choices=SCHEDULES, widget=forms.RadioSelect, label="Schedule")
    day_of_month = forms.TypedChoiceField(
        choices=DAYS,
        coerce=int,
        label="Day of the month",
        help_text="In a shorter month, a later day means the month's last day.",
    )
    week_of_month = forms.TypedChoiceField(choices=WEEKS, coerce=int, label="Which one")
    weekday = forms.TypedChoiceField(choices=WEEKDAYS, coerce=int, label="Weekday")
    send_hour = forms.TypedChoiceField(choices=HOURS, coerce=int, label="At")
    time_zone = forms.ChoiceField(label="Time zone")
    window_days = forms.IntegerField(
        label="Open for (days)",
        help_text="How many days people can answer after the survey opens.",
        error_messages={"invalid": "Write the number of days as a whole number, such as 14."},
    )
    reminder_days = forms.CharField(
        required=False,
        label="Reminders on days",
        help_text=(
            "Days after opening on which everyone invited gets a reminder (the same email for "
            'all, so it says nothing about who answered), separated by commas, such as "3, 5". '
            "Leave empty for no reminders."
        ),
    )
    k = forms.IntegerField(
        label="Smallest group with results (k)",
        help_text=(
            "Results are shown only for groups of at least k people who answered. "
            f"At least {MIN_K}; 5 is usual."
        ),
        error_messages={"invalid": "Write k as a whole number, such as 5."},
    )
    k_comment = forms.IntegerField(
        label="Smallest group with comments",
        help_text=(
            "Comments are shown only for groups of at least this many people who answered. "
            "At least k, since a comment is easier to attribute than a score; 10 is usual."
        ),
        error_messages={"invalid": "Write the number as a whole number, such as 10."},
    )
    focus_reminder_days = forms.IntegerField(
        required=False,
        min_value=1,
        label="Remind managers who have chosen no focus after (days)",
        help_text="Days after the results are out. Leave empty to send no reminder.",
        error_messages={
            "invalid": "Write the number of days as a whole number, such as 7.",
            "min_value": "Remind after at least 1 day, or leave it empty for no reminder.",
        },
    )
    active = forms.BooleanField(
        required=False,
        label="Active",
        help_text="A paused cadence launches nothing; its past results stay.",
    )

    def __init__(
        self, *args: Any, time_zone: str = "", team_missing: bool = False, **kwargs: Any
    ) -> None:
        """`team_missing`: the team the cadence surveyed is gone. Then nothing is preselected:
        saving must not quietly widen the survey to everyone."""
        super().__init__(*args, **kwargs)
        zones = self.fields["time_zone"]
        assert isinstance(zones, forms.ChoiceField)
        zones.choices = time_zone_choices(time_zone)
        population = self.fields["population"]
        assert isinstance(population, forms.ChoiceField)
        population.choices = [
            *([("", "Choose who is surveyed")] if team_missing else []),
            (EVERYONE, "Everyone (the whole organisation)"),
            *((str(team_id), name) for team_id, name in Team.objects.values_list("id", "name")),
        ]

    def clean_population(self) -> Team | None:
        choice = self.cleaned_data["population"]
        if choice == EVERYONE:
            return None
        team = Team.objects.filter(pk=int(choice)).first()
        if team is None:  # removed by an import since the page was shown
            raise forms.ValidationError("That team no longer exists: choose another, or everyone.")
        return team

    def clean_reminder_days(self) -> list[int]:
        text = self.cleaned_data["reminder_days"]
        if not text.strip():
            return []
        if not REMINDER_DAYS.match(text):
            raise forms.ValidationError(
                'Write whole days after opening, separated by commas, such as "3, 5".'
            )
        return [int(day) for day in text.split(",")]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        defaults = defaults_for(data.get("kind", ""))
        # The shared rules, on what was understood; a field that could not be read has its own
        # error already, and the rules that depend on it wait until it is fixed.
        problems = cadence_problems(
            kind=data.get("kind", SurveyKind.MONTHLY_PULSE),
            schedule_kind=data.get("schedule_kind", ScheduleKind.DAY_OF_MONTH),
            day_of_month=data.get("day_of_month", 1),
            week_of_month=data.get("week_of_month", 1),
            weekday=data.get("weekday", 0),
            send_hour=data.get("send_hour", 9),
            time_zone=data.get("time_zone", "UTC"),
            window_days=data.get("window_days", defaults.window_days),
            reminder_offsets=data.get("reminder_days", []),
            k=data.get("k", MIN_K),
            k_comment=data.get("k_comment", 10),
        )
        depends_on = {"reminder_offsets": "window_days", "k_comment": "k", "window_days": "kind"}
        for rule_field, message in problems.items():
            field = "reminder_days" if rule_field == "reminder_offsets" else rule_field
            if field in self.errors or depends_on.get(rule_field, "") in self.errors:
                continue
            self.add_error(field, message.replace("Reminder offsets", "Reminder days"))
        return data

    def schedule_rule(self) -> ScheduleRule:
        """The schedule as entered; only for a valid form."""
        data = self.cleaned_data
        return ScheduleRule(
            kind=data["kind"],
            schedule_kind=data["schedule_kind"],
            day_of_month=data["day_of_month"],
            week_of_month=data["week_of_month"],
            weekday=data["weekday"],
            send_hour=data["send_hour"],
            time_zone=data["time_zone"],
            window_days=data["window_days"],
        )

    def fill(self, cadence: Cadence) -> Cadence:
        """Put the entered settings on `cadence`; only for a valid form."""
        data = self.cleaned_data
        for name in (
            "name",
            "kind",
            "schedule_kind",
            "day_of_month",
            "week_of_month",
            "weekday",
            "send_hour",
            "time_zone",
            "window_days",
            "k",
            "k_comment",
            "focus_reminder_days",
            "active",
        ):
            setattr(cadence, name, data[name])
        cadence.reminder_offsets = data["reminder_days"]
        return cadence


def initial_for_new(kind: str) -> dict[str, Any]:
    defaults = defaults_for(kind)
    return {
        "kind": kind,
        "schedule_kind": ScheduleKind.NTH_WEEKDAY,
        "week_of_month": 1,
        "weekday": 0,
        "day_of_month": 1,
        "send_hour": 9,
        "time_zone": "Europe/London",
        "window_days": defaults.window_days,
        "reminder_days": ", ".join(str(day) for day in defaults.reminder_offsets),
        "population": EVERYONE,
        "k": 5,
        "k_comment": 10,
        "focus_reminder_days": 7,
        "active": True,
    }


def initial_for(cadence: Cadence) -> dict[str, Any]:
    return {
        "name": cadence.name,
        "kind": cadence.kind,
        "population": (str(cadence.population_team_id) if cadence.population_team_id else "")
        if cadence.population_is_team
        else EVERYONE,
        "schedule_kind": cadence.schedule_kind,
        "day_of_month": cadence.day_of_month,
        "week_of_month": cadence.week_of_month,
        "weekday": cadence.weekday,
        "send_hour": cadence.send_hour,
        "time_zone": cadence.time_zone,
        "window_days": cadence.window_days,
        "reminder_days": ", ".join(str(day) for day in cadence.reminder_offsets),
        "k": cadence.k,
        "k_comment": cadence.k_comment,
        "focus_reminder_days": cadence.focus_reminder_days,
        "active": cadence.active,
    }
