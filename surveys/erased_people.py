"""What the surveys still hold of people HR erased (teams.erasure), forgotten at the next pass.

Erasing a person keeps their invitations, which the surveys' figures count, and takes away
everything that names them on the identity side; teams does not reach into surveys, so the
scheduler pass finishes the job here: the snapshots of past surveys stop naming them as a
team's manager, and the links of their open invitations stop existing (the door already
refuses them, surveys.redemption). Their invitations stay as they were: invited, answered or
not, counted like everyone else's.
"""

from django.db import transaction

from surveys.models import CycleState, CycleTeam, InvitationToken
from teams.erasure import ERASED_NAME
from teams.models import Person


@transaction.atomic
def forget_erased_people() -> int:
    """Scrub erased people from snapshots and delete their links; returns how many rows."""
    erased = Person.objects.filter(erased_at__isnull=False).values("pk")
    renamed = (
        CycleTeam.objects.filter(manager__in=erased)
        .exclude(manager_name=ERASED_NAME)
        .update(manager_name=ERASED_NAME)
    )
    # Links exist only while a survey is open (surveys.sending.delete_links_of_cycles_not_open).
    deleted, _ = InvitationToken.objects.filter(
        invitation__cycle__state=CycleState.OPEN, invitation__person__in=erased
    ).delete()
    return renamed + deleted
