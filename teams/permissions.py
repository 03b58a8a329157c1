"""API permissions built on the roles in teams.roles."""

from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from teams.roles import is_hr


class IsHRAdmin(BasePermission):
    message = "Only HR admins can do this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return is_hr(request.user)
