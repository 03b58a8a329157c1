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
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.defaultfilters import pluralize
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from pulse.release_models import ReleasedUnit, ReleaseStatus
from surveys.focus_selectors import teams_with_focus
from surveys.models import Cycle, CycleTeam
from teams.tree_walks import IdTree

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ManagerNotice:
    person_id: int
    email: str
    first_name: str
    # The first released units they lead or lead above, by name (at most NAMES_SHOWN), and how
    # many more there are: a department head's email stays a few lines at any size.
    teams: tuple[str, ...]
    more_teams: int = 0


NAMES_SHOWN = 3
# Messages built and handed to the mail connection at a time: never all of a cycle's at once.
SEND_BATCH = 500


def dashboard_link(cycle: Cycle) -> str:
    return f"{settings.PULSE_BASE_URL}{reverse('dashboard')}?cycle={cycle.pk}"


@dataclass(frozen=True)
class Manager:
    person_id: int
    email: str
    name: str


def managers_with_results(cycle: Cycle) -> list[ManagerNotice]:
    """Managers of the cycle's snapshot with at least one released unit in what they led.

    One pass up the snapshot: each team's count of released units below it (itself
    included) and the first NAMES_SHOWN of their names, from its children's."""
    parent_of: dict[int, int | None] = {}
    manager_of: dict[int, Manager] = {}
    teams = CycleTeam.objects.filter(cycle=cycle).values_list(
        "id", "parent_id", "manager_id", "manager__email", "manager__name", "manager__active"
    )
    for team_id, parent_id, person_id, email, name, active in teams.iterator(chunk_size=2000):
        parent_of[team_id] = parent_id
        if person_id is not None and active and email:
            manager_of[team_id] = Manager(person_id, email, name)
    released = dict(
        ReleasedUnit.objects.filter(cycle=cycle, status=ReleaseStatus.RELEASED).values_list(
            "unit_id", "unit__name"
        )
    )
    tree = IdTree(parent_of)
    teams_led = Counter(manager.person_id for manager in manager_of.values())
    below: dict[int, tuple[int, list[str]]] = {}
    found: dict[int, tuple[Manager, int, list[str]]] = {}
    for team_id in tree.bottom_up():
        count, names = (1, [released[team_id]]) if team_id in released else (0, [])
        for child in tree.children_of(team_id):
            # A reporting loop (refused on every write) must not stop the emails.
            child_count, child_names = below.pop(child, (0, []))
            count += child_count
            names.extend(child_names)
        names = sorted(set(names))[:NAMES_SHOWN]
        below[team_id] = (count, names)
        manager = manager_of.get(team_id)
        if manager is None or not count:
            continue
        if teams_led[manager.person_id] > 1 and led_by_same_manager_above(
            team_id, parent_of, manager_of
        ):
            continue  # counted once, in their team above
        _, total, shown = found.get(manager.person_id, (manager, 0, []))
        found[manager.person_id] = (manager, total + count, [*shown, *names])
    return [notice_of(manager, names, count=count) for manager, count, names in found.values()]


def led_by_same_manager_above(
    team_id: int, parent_of: dict[int, int | None], manager_of: dict[int, "Manager"]
) -> bool:
    """Does the manager of `team_id` also lead a team above it (in this snapshot)?"""
    manager = manager_of[team_id]
    parent = parent_of.get(team_id)
    seen = {team_id}
    while parent is not None and parent not in seen:
        above = manager_of.get(parent)
        if above is not None and above.person_id == manager.person_id:
            return True
        seen.add(parent)
        parent = parent_of.get(parent)
    return False


def managers_without_focus(cycle: Cycle) -> list[ManagerNotice]:
    """Managers who lead a released unit of the cycle and have chosen no focus for it."""
    with_focus = teams_with_focus(cycle.pk)
    units = ReleasedUnit.objects.filter(
        cycle=cycle, status=ReleaseStatus.RELEASED, unit__manager__isnull=False
    ).values_list(
        "unit__name",
        "unit__team_id",
        "unit__manager_id",
        "unit__manager__email",
        "unit__manager__name",
        "unit__manager__active",
    )
    found: dict[int, tuple[Manager, list[str]]] = {}
    for name, team_id, person_id, email, manager_name, active in units.iterator(chunk_size=2000):
        if person_id is None or not active or not email:
            continue
        if team_id is None or team_id in with_focus:
            continue
        manager = Manager(person_id, email, manager_name)
        found.setdefault(person_id, (manager, []))[1].append(name)
    return [notice_of(manager, names, count=len(names)) for manager, names in found.values()]


def notice_of(manager: Manager, names: list[str], *, count: int) -> ManagerNotice:
    """`count` released units, of which `names` are the first by name."""
    first_name = manager.name.split()[0] if manager.name.strip() else "there"
    shown = tuple(sorted(set(names))[:NAMES_SHOWN])
    return ManagerNotice(
        manager.person_id, manager.email, first_name, shown, more_teams=max(count - len(shown), 0)
    )


class NoticeEmail:
    """One of the loop's emails for one cycle, rendered once with a placeholder for what
    differs between managers (their first name, their teams), then filled in for each: at a
    million people a cycle has some ninety thousand managers, and rendering both templates
    for each took longer than the release itself. The values are escaped for the HTML part
    as its template would have escaped them."""

    def __init__(self, cycle: Cycle, *, template: str, subject: str) -> None:
        self.subject = subject
        # Random, so no manager's name or team can contain it.
        self.first_name, self.teams = (f"\x00{secrets.token_hex(8)}\x00" for _ in range(2))
        context = {
            "first_name": self.first_name,
            "teams": self.teams,
            "survey": str(cycle),
            "link": dashboard_link(cycle),
            "days": cycle.cadence.focus_reminder_days,
        }
        self.text = render_to_string(f"pulse/email/{template}.txt", context)
        self.html = render_to_string(f"pulse/email/{template}.html", context)

    def to(self, notice: ManagerNotice) -> EmailMultiAlternatives:
        teams = team_list(notice)
        message = EmailMultiAlternatives(
            subject=self.subject,
            body=self.filled(self.text, notice.first_name, teams),
            to=[notice.email],
        )
        message.attach_alternative(
            self.filled(self.html, escape(notice.first_name), escape(teams)), "text/html"
        )
        return message

    def filled(self, body: str, first_name: str, teams: str) -> str:
        return body.replace(self.first_name, first_name).replace(self.teams, teams)


def team_list(notice: ManagerNotice) -> str:
    """ "Alpha, Beta, Gamma and 12 other teams": the names, then how many more."""
    names = ", ".join(notice.teams)
    if not notice.more_teams:
        return names
    return f"{names} and {notice.more_teams} other team{pluralize(notice.more_teams)}"


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
    recipients = notices(cycle)
    email = NoticeEmail(cycle, template=template, subject=subject)
    sent = 0
    with get_connection() as connection:
        for start in range(0, len(recipients), SEND_BATCH):
            messages = [email.to(notice) for notice in recipients[start : start + SEND_BATCH]]
            sent += connection.send_messages(messages) or 0
    logger.info(sent_what, cycle.pk, len(recipients))
    return sent


def newer_release_exists(cycle: Cycle) -> bool:
    return Cycle.objects.filter(
        cadence_id=cycle.cadence_id, release__isnull=False, closes_at__gt=cycle.closes_at
    ).exists()
