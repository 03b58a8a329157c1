"""Server-rendered identity-side pages, mounted at the site root: a login's own (profile, API
tokens), HR's org import and HR's audit log."""

from django.urls import path

from teams import account_views, org_views
from teams.audit_views import audit_log_page

urlpatterns = [
    path("profile/", account_views.profile, name="profile"),
    path("hr/audit/", audit_log_page, name="hr-audit"),
    path("profile/tokens/", account_views.create_api_token, name="profile-token-create"),
    path(
        "profile/tokens/<int:token_id>/revoke/",
        account_views.revoke_api_token,
        name="profile-token-revoke",
    ),
    path("hr/org/import/", org_views.org_import_page, name="hr-org-import"),
    path("hr/org/import/options/", org_views.org_import_options, name="hr-org-import-options"),
    path("hr/org/import/apply/", org_views.org_import_apply, name="hr-org-import-apply"),
    path("hr/org/import/cancel/", org_views.org_import_cancel, name="hr-org-import-cancel"),
]
