"""Teams API routes, mounted under /api/v1/."""

from django.urls import re_path

from teams.api import OrgImportView

urlpatterns = [
    re_path(r"^org/import/?$", OrgImportView.as_view(), name="org-import"),
]
