"""Closing a cycle: keep participation as counts per reporting unit, wipe everything else.

After close, the token digests are gone and no invitation says whether it was answered or how
many reminders it got, so even someone holding the database and the keys cannot tell who
answered beyond the per-unit counts.
"""

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from surveys.models import Cycle, CycleState, CycleTeam, Invitation, InvitationToken

logger = logging.getLogger(__name__)


def close_cycle(*, cycle_id: int, now: datetime | None = None) -> bool:
    """Close an open (or never launched) cycle. True if this call closed it."""
    now = now or timezone.now()
    with transaction.atomic():
        # FOR UPDATE waits for answers being accepted right now (they hold the row FOR SHARE),
        # and makes answers that arrive later see the cycle closed.
        cycle = (
            Cycle.objects.select_for_update()
            .filter(pk=cycle_id, state__in=[CycleState.OPEN, CycleState.SCHEDULED])
            .first()
        )
        if cycle is None:
            return False
        respondents = dict(
            Invitation.objects.filter(cycle=cycle)
            .values("reporting_unit")
            .annotate(answered=Count("pk", filter=Q(answered=True)))
            .values_list("reporting_unit", "answered")
        )
        units = list(CycleTeam.objects.filter(cycle=cycle, pk__in=respondents.keys()))
        for unit in units:
            unit.unit_respondent_count = respondents[unit.pk]
        CycleTeam.objects.bulk_update(units, ["unit_respondent_count"], batch_size=2000)
        delivered = Invitation.objects.filter(cycle=cycle, emails_sent__gte=1).count()
        InvitationToken.objects.filter(invitation__cycle=cycle).delete()
        Invitation.objects.filter(cycle=cycle).update(
            answered=None, emails_sent=None, send_batch=None, claimed_at=None
        )
        Cycle.objects.filter(pk=cycle.pk).update(
            state=CycleState.CLOSED, closed_at=now, delivered_count=delivered
        )
    logger.info("Cycle %s closed", cycle_id)
    return True
