"""Server-rendered identity-side pages, mounted at the site root: a login's own (profile, API
tokens) and HR's audit log."""

from django.urls import path

from teams import account_views
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
]
