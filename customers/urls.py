"""Customer metrics API routes, mounted under /api/v1/."""

from django.urls import re_path
from rest_framework.routers import SimpleRouter

from customers.api import MetricValueViewSet, MetricViewSet, ValueImportView

router = SimpleRouter()
# The documented interface names routes without a trailing slash; accept both spellings.
router.trailing_slash = "/?"
router.register("cx/metrics", MetricViewSet, basename="cx-metric")
router.register("cx/values", MetricValueViewSet, basename="cx-value")

urlpatterns = [
    # Before the router, whose value detail route would otherwise read "import" as an id.
    re_path(r"^cx/values/import/?$", ValueImportView.as_view(), name="cx-values-import"),
    *router.urls,
]
