"""Who may see which released results. Managers see their own subtree; HR sees everything of
the cycles that closed while it was HR.

Scope is decided on each cycle's frozen snapshot: a manager sees the reporting units inside the
team they led when that cycle launched, whatever has changed since. Everything outside a
viewer's scope answers 404, so a page never confirms that something exists.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from pulse.release_models import ReleasedUnit
from surveys.models import CycleTeam
from surveys.selectors import ancestors_of, reads_cycle_as_hr, subtree_ids
from teams.roles import is_hr
from teams.selectors import teams_up_from

User = AbstractBaseUser | AnonymousUser


def led_cycle_teams(user: User, cycle_id: int) -> list[int]:
    if not user.is_authenticated:
        return []
    return list(
        CycleTeam.objects.filter(cycle_id=cycle_id, manager__user_id=user.pk).values_list(
            "id", flat=True
        )
    )


def reads_everything(user: User, cycle_id: int) -> bool:
    """HR sees every unit of a cycle, if it was HR when the cycle closed: the figures were
    chosen counting the HR of that moment as readers, and nobody else."""
    return is_hr(user) and reads_cycle_as_hr(user_id=user.pk or 0, cycle_id=cycle_id)


def visible_unit_ids(user: User, cycle_id: int) -> set[int] | None:
    """Ids of the CycleTeams this user may see in a cycle; None means everything (HR)."""
    if reads_everything(user, cycle_id):
        return None
    roots = led_cycle_teams(user, cycle_id)
    if not roots:
        return set()
    return set(
        CycleTeam.objects.filter(cycle_id=cycle_id, pk__in=subtree_ids(roots)).values_list(
            "id", flat=True
        )
    )


def releases_in_scope(user: User, cycle_id: int) -> QuerySet[ReleasedUnit]:
    """The cycle's released units this viewer may read, filtered by the database (the subtree
    is a subquery), so that a list can page them: every unit for HR of the cycle, else the
    units in the subtrees the viewer led, none if it led none."""
    released = ReleasedUnit.objects.filter(cycle_id=cycle_id)
    if reads_everything(user, cycle_id):
        return released
    return released.filter(unit_id__in=subtree_ids(led_cycle_teams(user, cycle_id)))


def may_see(user: User, cycle_id: int, unit_id: int) -> bool:
    """Reads the unit's ancestors, never the cycle's whole snapshot."""
    if reads_everything(user, cycle_id):
        return True
    return within_led_teams(led_cycle_teams(user, cycle_id), unit_id, ancestors_of(unit_id))


def within_led_teams(led: list[int], unit_id: int, ancestors: list[int]) -> bool:
    """Is the unit (with `ancestors`, nearest first) one of the `led` teams or below one?"""
    return bool(set(led) & {unit_id, *ancestors})


def may_be_told_team_missing(user: User, cycle_id: int, team_id: int) -> bool:
    """For a team a survey did not have: may the viewer be told so (and shown their own results
    instead), or must it answer 404 like a team outside their scope? Only HR and the managers
    of the team or a team above it in today's org chart are told: for anyone else, telling
    "not in this survey" from "not yours" would say which teams the survey had."""
    if reads_everything(user, cycle_id):
        return True
    if not user.is_authenticated:
        return False
    return any(team.manager_user_id == user.pk for team in teams_up_from(team_id))
