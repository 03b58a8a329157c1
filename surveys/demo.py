"""Demo survey settings: a monthly pulse and a quarterly full survey for the whole company."""

from surveys.models import Cadence
from surveys.schedule import ScheduleKind


def seed_demo_cadences() -> list[Cadence]:
    """Create the demo cadences once; running again changes nothing."""
    monthly, _ = Cadence.objects.get_or_create(
        name="Monthly pulse",
        defaults={
            "kind": "monthly",
            "schedule_kind": ScheduleKind.NTH_WEEKDAY,
            "week_of_month": 1,
            "weekday": 1,  # the first Tuesday
            "send_hour": 10,
            "time_zone": "Europe/London",
        },
    )
    quarterly, _ = Cadence.objects.get_or_create(
        name="Quarterly full survey",
        defaults={
            "kind": "quarterly",
            "day_of_month": 15,
            "send_hour": 10,
            "time_zone": "Europe/London",
            "window_days": 14,
            "reminder_offsets": [4, 9, 12],
        },
    )
    return [monthly, quarterly]
