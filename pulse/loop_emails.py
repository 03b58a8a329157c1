"""The loop's two emails to managers, sent from pulse's scheduler pass after the release.

"Your results are ready" goes once per released cycle to every manager whose teams have
released results (a unit in the subtree they led, shown with figures), with a link to the
dashboard and no figure in it. One reminder goes, once per cycle, `focus_reminder_days` after
that (the cadence's setting, empty for none) to each manager who leads a released unit and has
chosen no focus for it yet.

Each is claimed for the whole cycle by a conditional update on the cycle row before anything is
sent, so two ticks never send the same email; a tick killed while sending loses the rest of
that cycle's emails rather than sending any twice.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from pulse.release_models import ReleasedUnit, ReleaseStatus
from surveys.focus_selectors import teams_with_focus
from surveys.models import Cycle, CycleTeam
from teams.models import Person
from teams.tree_walks import IdTree

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ManagerNotice:
    person_id: int
    email: str
    first_name: str
    teams: tuple[str, ...]  # the released units they lead or lead above, by name


def dashboard_link(cycle: Cycle) -> str:
    return f"{settings.PULSE_BASE_URL}{reverse('dashboard')}?cycle={cycle.pk}"


def managers_with_results(cycle: Cycle) -> list[ManagerNotice]:
    """Managers of the cycle's snapshot with at least one released unit in what they led."""
    teams = list(CycleTeam.objects.filter(cycle=cycle).select_related("manager"))
    tree = IdTree({team.pk: team.parent_id for team in teams})
    released = dict(
        ReleasedUnit.objects.filter(cycle=cycle, status=ReleaseStatus.RELEASED).values_list(
            "unit_id", "unit__name"
        )
    )
    found: dict[int, tuple[Person, list[str]]] = {}
    for team in teams:
        manager = team.manager
        if manager is None or not manager.active or not manager.email:
            continue
        names = [released[unit] for unit in tree.subtree(team.pk) if unit in released]
        if names:
            found.setdefault(manager.pk, (manager, []))[1].extend(names)
    return [notice_of(person, names) for person, names in found.values()]


def managers_without_focus(cycle: Cycle) -> list[ManagerNotice]:
    """Managers who lead a released unit of the cycle and have chosen no focus for it."""
    with_focus = teams_with_focus(cycle.pk)
    units = ReleasedUnit.objects.filter(
        cycle=cycle, status=ReleaseStatus.RELEASED, unit__manager__isnull=False
    ).select_related("unit", "unit__manager")
    found: dict[int, tuple[Person, list[str]]] = {}
    for released in units:
        unit, manager = released.unit, released.unit.manager
        if manager is None or not manager.active or not manager.email:
            continue
        if unit.team_id is None or unit.team_id in with_focus:
            continue
        found.setdefault(manager.pk, (manager, []))[1].append(unit.name)
    return [notice_of(person, names) for person, names in found.values()]


def notice_of(person: Person, names: list[str]) -> ManagerNotice:
    first_name = person.name.split()[0] if person.name.strip() else "there"
    return ManagerNotice(person.pk, person.email, first_name, tuple(sorted(set(names))))


def build_notice(
    notice: ManagerNotice, cycle: Cycle, *, template: str, subject: str
) -> EmailMultiAlternatives:
    context = {
        "first_name": notice.first_name,
        "teams": notice.teams,
        "survey": str(cycle),
        "link": dashboard_link(cycle),
        "days": cycle.cadence.focus_reminder_days,
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"pulse/email/{template}.txt", context),
        to=[notice.email],
    )
    message.attach_alternative(
        render_to_string(f"pulse/email/{template}.html", context), "text/html"
    )
    return message


def send_all(messages: list[EmailMultiAlternatives]) -> int:
    if not messages:
        return 0
    with get_connection() as connection:
        return connection.send_messages(messages) or 0


def announce_results(*, now: datetime | None = None) -> int:
    """Email "your results are ready" for every released cycle not yet announced."""
    now = now or timezone.now()
    due = Cycle.objects.filter(release__isnull=False, results_announced_at__isnull=True)
    return sum(
        send_once(
            cycle,
            claim="results_announced_at",
            now=now,
            template="results_ready",
            subject=f"Your team's pulse results are ready: {cycle}",
            notices=managers_with_results,
            sent_what="Results of cycle %s announced to %d managers",
        )
        for cycle in due.select_related("cadence")
    )


def remind_about_focus(*, now: datetime | None = None) -> int:
    """Email the one reminder to choose a focus, for every cycle whose delay has passed."""
    now = now or timezone.now()
    due = Cycle.objects.filter(
        results_announced_at__isnull=False,
        focus_reminders_sent_at__isnull=True,
        cadence__focus_reminder_days__isnull=False,
    ).select_related("cadence")
    sent = 0
    for cycle in due:
        days = cycle.cadence.focus_reminder_days
        announced = cycle.results_announced_at
        if days is None or announced is None or announced + timedelta(days=days) > now:
            continue
        sent += send_once(
            cycle,
            claim="focus_reminders_sent_at",
            now=now,
            template="focus_reminder",
            subject=f"What will your team work on? Choose a focus after {cycle}",
            notices=managers_without_focus,
            sent_what="Focus reminders of cycle %s sent to %d managers",
        )
    return sent


def send_once(
    cycle: Cycle,
    *,
    claim: str,
    now: datetime,
    template: str,
    subject: str,
    notices: Callable[[Cycle], list[ManagerNotice]],
    sent_what: str,
) -> int:
    """Claim one of the cycle's two emails by a conditional update on its `claim` field, then
    send it to `notices(cycle)`; nothing if another pass claimed it first, or if a later
    survey's results are the news now."""
    claimed = Cycle.objects.filter(pk=cycle.pk, **{f"{claim}__isnull": True}).update(**{claim: now})
    if claimed != 1 or newer_release_exists(cycle):
        return 0
    messages = [
        build_notice(notice, cycle, template=template, subject=subject) for notice in notices(cycle)
    ]
    sent = send_all(messages)
    logger.info(sent_what, cycle.pk, len(messages))
    return sent


def newer_release_exists(cycle: Cycle) -> bool:
    return Cycle.objects.filter(
        cadence_id=cycle.cadence_id, release__isnull=False, closes_at__gt=cycle.closes_at
    ).exists()
