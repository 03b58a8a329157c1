"""Roles: HR admin (a group, or a superuser), manager (leads a team), employee (everyone else).

HR permissions are granted in code, not by a migration, so a model added later is covered the
next time `ensure_hr_group` runs (seed_demo and make_hr call it).
"""

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser, Group, Permission, User
from django.db.models import Q, QuerySet

from teams.models import Team

HR_GROUP_NAME = "HR admins"
# HR edits the org chart, the surveys and the customer metrics (an app label, not an import:
# customers sits above teams); nobody edits the anonymous plane by hand.
HR_APP_LABELS = ("teams", "surveys", "customers")
# The audit log is written by the services only: HR reads it, and nobody edits it by hand.
# Nor does HR say of its own logins that they are nobody in the org chart: only the command
# line does (make_hr --outside-org-chart), in the audit log (teams.hr_identity).
NOT_HRS_TO_EDIT = (
    "add_auditevent",
    "change_auditevent",
    "delete_auditevent",
    "add_loginoutsideorgchart",
    "change_loginoutsideorgchart",
    "delete_loginoutsideorgchart",
)


def ensure_hr_group() -> Group:
    group, _ = Group.objects.get_or_create(name=HR_GROUP_NAME)
    group.permissions.set(
        Permission.objects.filter(content_type__app_label__in=HR_APP_LABELS).exclude(
            codename__in=NOT_HRS_TO_EDIT
        )
    )
    return group


# Where is_hr keeps its answer on the user object: a request loads its user once, so a page
# asks the database once however many of its parts check the role, and the next request (a
# fresh user object) sees a change of role at once.
IS_HR_ATTRIBUTE = "_pulse_is_hr"


def is_hr(user: AbstractBaseUser | AnonymousUser) -> bool:
    # Anonymous visitors are not User instances; neither are they HR.
    if not isinstance(user, User) or not user.is_active:
        return False
    known = user.__dict__.get(IS_HR_ATTRIBUTE)
    if known is None:
        known = user.is_superuser or user.groups.filter(name=HR_GROUP_NAME).exists()
        user.__dict__[IS_HR_ATTRIBUTE] = known
    return known


def hr_logins() -> QuerySet[User]:
    """Every login that is HR now: active, and a superuser or in the HR group."""
    return (
        User.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name=HR_GROUP_NAME))
        .distinct()
    )


def led_team(user: AbstractBaseUser | AnonymousUser) -> Team | None:
    """The team this user leads, if they are a manager."""
    if not isinstance(user, User):
        return None
    return Team.objects.filter(manager__user=user, manager__active=True).first()
