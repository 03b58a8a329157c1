"""Server-rendered surveys pages for HR, mounted at the site root."""

from django.urls import path

from surveys.delivery_views import delivery_page

urlpatterns = [
    path("hr/cycles/", delivery_page, name="hr-cycles"),
]
