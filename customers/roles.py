"""The CX admin role: a Django group HR grants (`make_cx_admin EMAIL`), whose members define
customer metrics and import their values, without any of HR's rights over people and surveys.

HR admins can do everything a CX admin can. Like the HR group's (teams.roles), the group's
permissions are granted in code, so a model added later is covered the next time
`ensure_cx_admin_group` runs (seed_demo and make_cx_admin call it).
"""

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser, Group, Permission, User
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from teams.roles import is_hr

CX_ADMIN_GROUP_NAME = "CX admins"


def ensure_cx_admin_group() -> Group:
    group, _ = Group.objects.get_or_create(name=CX_ADMIN_GROUP_NAME)
    group.permissions.set(Permission.objects.filter(content_type__app_label="customers"))
    return group


def is_cx_admin(user: AbstractBaseUser | AnonymousUser) -> bool:
    """May define metrics and import values: an HR admin, or a member of the CX admin group."""
    if not isinstance(user, User) or not user.is_active:
        return False
    return is_hr(user) or user.groups.filter(name=CX_ADMIN_GROUP_NAME).exists()


class IsCXAdmin(BasePermission):
    message = "Only HR admins and CX admins can do this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return is_cx_admin(request.user)
