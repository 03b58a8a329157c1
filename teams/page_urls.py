"""Server-rendered pages of a login's own (profile, API tokens) and HR's org import, mounted at
the site root."""

from django.urls import path

from teams import account_views, org_views

urlpatterns = [
    path("profile/", account_views.profile, name="profile"),
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
