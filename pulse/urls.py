"""Pulse API routes, mounted under /api/v1/."""

from django.urls import re_path

from pulse.api import PulseView

urlpatterns = [
    re_path(r"^pulse/(?P<token>[^/]+)/?$", PulseView.as_view(), name="pulse-answer"),
]
