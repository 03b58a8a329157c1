"""Teams API routes, mounted under /api/v1/."""

from django.urls import re_path

from teams.api import OrgImportView
from teams.audit_api import AuditLogView
from teams.org_job_api import OrgImportJobsView, OrgImportJobView

urlpatterns = [
    re_path(r"^org/import/?$", OrgImportView.as_view(), name="org-import"),
    re_path(r"^org/import/jobs/?$", OrgImportJobsView.as_view(), name="org-import-jobs"),
    re_path(
        r"^org/import/jobs/(?P<job_id>[0-9]+)/?$",
        OrgImportJobView.as_view(),
        name="org-import-job",
    ),
    re_path(r"^audit/?$", AuditLogView.as_view(), name="audit-log"),
]
