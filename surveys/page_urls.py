"""Server-rendered surveys pages for HR, mounted at the site root."""

from django.urls import path

from surveys.cadence_views import cadence_create, cadence_edit, cadence_list
from surveys.cycle_action_views import close_page, launch_page
from surveys.delivery_views import delivery_page

urlpatterns = [
    path("hr/cycles/", delivery_page, name="hr-cycles"),
    path("hr/cycles/launch/<int:cadence_id>/", launch_page, name="hr-cycle-launch"),
    path("hr/cycles/<int:cycle_id>/close/", close_page, name="hr-cycle-close"),
    path("hr/cadences/", cadence_list, name="hr-cadences"),
    path("hr/cadences/new/", cadence_create, name="hr-cadence-create"),
    path("hr/cadences/<int:cadence_id>/", cadence_edit, name="hr-cadence-edit"),
]
