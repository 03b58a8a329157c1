"""Server-rendered pages of a login's own (profile, API tokens), mounted at the site root."""

from django.urls import path

from teams import account_views

urlpatterns = [
    path("profile/", account_views.profile, name="profile"),
    path("profile/tokens/", account_views.create_api_token, name="profile-token-create"),
    path(
        "profile/tokens/<int:token_id>/revoke/",
        account_views.revoke_api_token,
        name="profile-token-revoke",
    ),
]
