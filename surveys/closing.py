"""Closing a cycle: keep participation as counts per reporting unit, wipe everything else.

In one transaction, close:
- counts the respondents of each reporting unit and moves a unit with fewer than k respondents
  (none included, so that "nobody answered" looks like "a few did") into its parent unit's
  cell (`answers_counted_in`), bottom-up, so that no cell stores 1..k-1 answers (the sweep
  stores the remaining ballots where this says, and destroys unopened the answers of a top
  cell left with 1..k-1);
- deletes the link digests;
- rewrites the cycle's invitations in random order with nothing but who was invited where:
  no answered flag, no reminder count, no claim, and no physical order left over from the
  order people answered in (an UPDATE would lay the rows down in their earlier versions' order).

After the commit the invitation and digest tables are compacted, so no dead row version keeps
what was erased. From then on even someone holding the database and the keys cannot tell who
answered beyond the per-unit counts.
"""

import logging
import secrets
from datetime import datetime

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from common.bulk_rows import insert_rows, update_rows
from common.compaction import compact
from surveys.models import (
    Cycle,
    CycleReader,
    CycleState,
    CycleTeam,
    Invitation,
    InvitationToken,
)
from teams.audit import record_event
from teams.hr_identity import link_hr_logins_by_email
from teams.models import AuditAction, Person
from teams.roles import hr_logins
from teams.tree_walks import IdTree

logger = logging.getLogger(__name__)


def close_cycle(*, cycle_id: int, now: datetime | None = None) -> bool:
    """Close an open (or never launched) cycle. True if this call closed it."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        # FOR UPDATE waits for answers being accepted right now (they hold the row FOR SHARE),
        # and makes answers that arrive later see the cycle closed.
        cycle = (
            Cycle.objects.select_for_update()
            .filter(pk=cycle_id, state__in=[CycleState.OPEN, CycleState.SCHEDULED])
            .first()
        )
        if cycle is None:
            return False
        respondents = {
            unit_id: answered
            for unit_id, answered in Invitation.objects.filter(cycle=cycle)
            .values("reporting_unit")
            .annotate(answered=Count("pk", filter=Q(answered=True)))
            .values_list("reporting_unit", "answered")
            if unit_id is not None
        }
        count_respondents_per_cell(cycle=cycle, respondents=respondents)
        delivered = Invitation.objects.filter(cycle=cycle, emails_sent__gte=1).count()
        InvitationToken.objects.filter(invitation__cycle=cycle).delete()
        rewrite_invitations(cycle=cycle)
        record_hr_readers(cycle=cycle)
        Cycle.objects.filter(pk=cycle.pk).update(
            state=CycleState.CLOSED, closed_at=now, delivered_count=delivered
        )
    compact(Invitation._meta.db_table, InvitationToken._meta.db_table)
    logger.info("Cycle %s closed", cycle_id)
    return True


def close_now(*, cycle_id: int, actor: User | None) -> bool:
    """HR closes a cycle before its window ends (a page, the API, the admin, or the command
    line when `actor` is None). True if this call closed it; then the audit log records it.

    Recorded after the close commits, in a transaction of its own: nothing of the close's
    transaction (the rewrite of the invitations) shares a write with the event."""
    if not close_cycle(cycle_id=cycle_id):
        return False
    cycle = Cycle.objects.select_related("cadence").get(pk=cycle_id)
    record_event(
        actor=actor,
        action=AuditAction.CYCLE_CLOSED,
        subject=str(cycle),
        details={"cycle": cycle.pk, "invited": cycle.invited_count},
        at=cycle.closed_at,
    )
    return True


def count_respondents_per_cell(*, cycle: Cycle, respondents: dict[int, int]) -> None:
    """Move-up by respondents: deepest units first, a unit with fewer than k respondents (its
    own plus those of units already moved into it; none included) is counted in its parent
    unit's cell."""
    # Plain ids, not a model instance per team: a million people's snapshot has 140,000.
    teams = CycleTeam.objects.filter(cycle=cycle).values_list(
        "pk", "parent_id", "reporting_unit_id"
    )
    parent_team: dict[int, int | None] = {}
    unit_of_team: dict[int, int | None] = {}
    for pk, parent_id, unit_id in teams.iterator(chunk_size=5000):
        parent_team[pk] = parent_id
        unit_of_team[pk] = unit_id
    units = [pk for pk, unit_id in unit_of_team.items() if unit_id == pk]

    def parent_unit_of(unit_id: int) -> int | None:
        parent = parent_team[unit_id]
        return unit_of_team.get(parent) if parent is not None else None

    unit_tree = IdTree({pk: parent_unit_of(pk) for pk in units})
    in_cell = {pk: respondents.get(pk, 0) for pk in units}
    moved_into: dict[int, int] = {}
    for pk in unit_tree.bottom_up():
        # A unit nobody answered in moves too (adding nothing): where a unit's answers are
        # counted must not tell "nobody answered" from "a few did".
        if in_cell[pk] >= cycle.k:
            continue
        parent = unit_tree.parent_of[pk]
        if parent is not None and parent in in_cell:
            in_cell[parent] += in_cell[pk]
            moved_into[pk] = parent
        # A top cell with 1..k-1 has nowhere to go: those answers are not stored (the sweep
        # destroys them unopened), since a stored group of fewer than k has a name.
        in_cell[pk] = 0

    def cell_of(unit_id: int) -> int | None:
        cell = unit_id
        while cell in moved_into:
            cell = moved_into[cell]
        return cell if cell != unit_id else None

    update_rows(
        CycleTeam,
        ["unit_respondent_count", "answers_counted_in"],
        ((pk, in_cell[pk], cell_of(pk)) for pk in units),
    )


def record_hr_readers(*, cycle: Cycle) -> None:
    """Freeze who holds HR now: the release counts them as readers, and only they may read it.
    Each login's person is the one linked to it, active (teams.hr_identity; a login not linked
    yet is linked first to the person its email finds). A login that names nobody is recorded
    with no person, and reads the results only once it is said to be nobody in the org chart
    (surveys.selectors.hr_readings)."""
    link_hr_logins_by_email()
    logins = list(hr_logins())
    linked = {
        user_id: person_id if active else None
        for user_id, person_id, active in Person.objects.on_chart()
        .filter(user__in=logins)
        .values_list("user_id", "pk", "active")
    }
    CycleReader.objects.bulk_create(
        (CycleReader(cycle=cycle, user=login, person_id=linked.get(login.pk)) for login in logins),
        ignore_conflicts=True,
    )


def rewrite_invitations(*, cycle: Cycle) -> None:
    """Replace the cycle's invitations by fresh rows in random order: who was invited where,
    and whether their address failed (HR fixes those), nothing else."""
    kept = list(
        Invitation.objects.filter(cycle=cycle).values_list(
            "person_id", "reporting_unit_id", "delivery_failed", "delivery_error"
        )
    )
    secrets.SystemRandom().shuffle(kept)
    # A plain DELETE (the tokens are gone already): Django's own would load every invitation
    # of the cycle to look for rows that cascade from it. The new rows go in as plain tuples
    # (common.bulk_rows), not a model instance each: a million people's close held both.
    Invitation.objects.filter(cycle=cycle)._raw_delete(connection.alias)
    insert_rows(
        Invitation,
        [
            "cycle",
            "person",
            "reporting_unit",
            "answered",
            "emails_sent",
            "delivery_failed",
            "delivery_error",
        ],
        (
            (cycle.pk, person_id, unit_id, None, None, failed, error)
            for person_id, unit_id, failed, error in kept
        ),
    )
