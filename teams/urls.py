"""Teams API routes, mounted under /api/v1/."""

from django.urls import re_path

from teams.api import OrgImportView
from teams.audit_api import AuditLogView

urlpatterns = [
    re_path(r"^org/import/?$", OrgImportView.as_view(), name="org-import"),
    re_path(r"^audit/?$", AuditLogView.as_view(), name="audit-log"),
]
