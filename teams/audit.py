"""The audit log: who launched or closed a cycle, changed a cadence or a threshold, imported the
org chart or invited someone to log in, and when.

The services write it, with the acting login handed down by the page, the API or the admin;
a management command passes None, shown as "command line". An event records HR's action and
the non-personal facts of it (counts, the settings chosen): never an invitation, an answered
flag or a time other than the action's own (docs/anonymity.md, "The audit log").
"""

from dataclasses import dataclass
from datetime import datetime
from typing import TypeAlias

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser, User
from django.core.paginator import Paginator
from django.utils import timezone

from teams.models import AuditAction, AuditEvent

COMMAND_LINE = "command line"
# Facts an event may carry: numbers, words, flags, lists of them, and a change as
# {"from": old, "to": new}.
AuditFact: TypeAlias = int | str | bool | list[object] | dict[str, object] | None
PAGE_SIZE = 50


def actor_name(actor: User | None) -> str:
    if actor is None:
        return COMMAND_LINE
    return actor.get_full_name() or actor.email or actor.get_username()


def acting_login(user: AbstractBaseUser | AnonymousUser) -> User | None:
    """The login of a request, as the services take it: a page or API call always has one."""
    return user if isinstance(user, User) else None


def record_event(
    *,
    actor: User | None,
    action: AuditAction,
    subject: str,
    details: dict[str, AuditFact] | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Write one event. Call it inside the service's transaction, so that an action rolled back
    leaves no event behind."""
    return AuditEvent.objects.create(
        actor=actor,
        actor_name=actor_name(actor)[:200],
        action=action,
        subject=subject[:300],
        details=details or {},
        at=at or timezone.now(),
    )


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str
    action_label: str
    subject: str
    details: dict[str, AuditFact]

    @property
    def detail_lines(self) -> list[str]:
        """ "k: 5 → 7", "people invited: 60", … for the page, in the pages' own words."""
        return [
            f"{DETAIL_NAMES.get(name, name.replace('_', ' '))}: {said(value)}"
            for name, value in self.details.items()
        ]


# The page names a detail as the cadence form and the import page do (the API keeps the keys).
DETAIL_NAMES = {
    "cycle": "cycle number",
    "invited": "people invited",
    "k_comment": "k for comments",
    "population_team_id": "team surveyed (number)",
    "schedule_kind": "schedule",
    "day_of_month": "day of the month",
    "week_of_month": "week of the month",
    "send_hour": "hour",
    "time_zone": "time zone",
    "window_days": "open for (days)",
    "reminder_offsets": "reminders on days",
    "focus_reminder_days": "focus reminder after (days)",
    "teams": "teams afterwards",
    "deactivate_missing": "deactivate people missing from the file",
}


def said(value: object) -> str:
    if isinstance(value, dict) and set(value) == {"from", "to"}:
        return f"{said(value['from'])} → {said(value['to'])}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(said(part) for part in value) or "none"
    return "none" if value is None else str(value)


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    number: int
    pages: int
    total: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def audit_page(*, action: str = "", page: int = 1, per_page: int = PAGE_SIZE) -> AuditPage:
    """Newest first, optionally one kind of action; a page number out of range gives the
    nearest page."""
    events = AuditEvent.objects.order_by("-at", "-pk")
    if action:
        events = events.filter(action=action)
    paginator = Paginator(events, per_page)
    current = paginator.get_page(page)
    return AuditPage(
        entries=[
            AuditEntry(
                at=event.at,
                actor=event.actor_name,
                action=event.action,
                action_label=event.get_action_display(),
                subject=event.subject,
                details=event.details,
            )
            for event in current
        ],
        number=current.number,
        pages=paginator.num_pages,
        total=paginator.count,
    )
