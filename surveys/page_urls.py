"""Server-rendered surveys pages for HR, mounted at the site root."""

from django.urls import path

from surveys.cycle_action_views import close_page, launch_page
from surveys.delivery_views import delivery_page

urlpatterns = [
    path("hr/cycles/", delivery_page, name="hr-cycles"),
    path("hr/cycles/launch/<int:cadence_id>/", launch_page, name="hr-cycle-launch"),
    path("hr/cycles/<int:cycle_id>/close/", close_page, name="hr-cycle-close"),
]
