from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.api_errors import UnknownAddress
from config.health import health_urlpatterns
from surveys.outbox import outbox_page
from teams.account_views import admin_login, no_address_changes

api_v1: list[URLPattern | URLResolver] = [
    path("", include("teams.urls")),
    path("", include("surveys.urls")),
    path("", include("customers.urls")),
    path("", include("pulse.urls")),
    re_path(r"^.*$", UnknownAddress.as_view(), name="api-unknown-address"),
]

# Failures and refusals answer in the product's words: JSON under /api/, a calm page elsewhere.
handler500 = "config.error_pages.server_error"
handler404 = "config.refusal_pages.page_not_found"
handler403 = "config.refusal_pages.permission_denied"

urlpatterns = [
    *health_urlpatterns,
    # The admin's own login form is replaced by the login page's, with its failed-login limits.
    path("admin/login/", admin_login, name="admin-login"),
    path("admin/", admin.site.urls),
    path("accounts/email/", no_address_changes),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file, so the strict CSP holds here too.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("", include("surveys.page_urls")),
    path("", include("pulse.page_urls")),
    path("", include("teams.page_urls")),
    # Development only: the view answers 404 unless DEBUG is on.
    path("dev/outbox/", outbox_page, name="dev-outbox"),
]
