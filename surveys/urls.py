"""Surveys API routes, mounted under /api/v1/."""

from rest_framework.routers import SimpleRouter

from surveys.api import CadenceViewSet, CycleViewSet

router = SimpleRouter()
# The documented interface names routes without a trailing slash; accept both spellings.
router.trailing_slash = "/?"
router.register("cadences", CadenceViewSet, basename="cadence")
router.register("cycles", CycleViewSet, basename="cycle")

urlpatterns = router.urls
