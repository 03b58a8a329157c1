"""Pulse API routes, mounted under /api/v1/."""

from django.urls import re_path

from pulse.api import PulseView
from pulse.results_api import ResultsView, TrendView

urlpatterns = [
    re_path(r"^results/?$", ResultsView.as_view(), name="results"),
    re_path(r"^results/(?P<unit>[0-9]+)/trend/?$", TrendView.as_view(), name="results-trend"),
    re_path(r"^pulse/(?P<token>[^/]+)/?$", PulseView.as_view(), name="pulse-answer"),
]
