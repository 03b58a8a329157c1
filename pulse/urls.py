"""Pulse API routes, mounted under /api/v1/."""

from django.urls import re_path

from pulse.api import PulseView
from pulse.linkage_api import LinkedApiView
from pulse.loop_api import (
    CommitmentStatusView,
    FocusListView,
    FollowThroughView,
    ShareView,
    UnitFocusView,
)
from pulse.results_api import ResultsView, TrendView

urlpatterns = [
    re_path(r"^results/?$", ResultsView.as_view(), name="results"),
    re_path(r"^results/(?P<unit>[0-9]+)/trend/?$", TrendView.as_view(), name="results-trend"),
    re_path(r"^cx/linked/?$", LinkedApiView.as_view(), name="cx-linked"),
    re_path(r"^focus/?$", FocusListView.as_view(), name="focus-list"),
    re_path(r"^focus/(?P<unit>[0-9]+)/?$", UnitFocusView.as_view(), name="focus-detail"),
    re_path(r"^focus/(?P<unit>[0-9]+)/share/?$", ShareView.as_view(), name="focus-share-api"),
    re_path(
        r"^focus/(?P<unit>[0-9]+)/commitments/(?P<position>[0-9]+)/?$",
        CommitmentStatusView.as_view(),
        name="commitment-status-api",
    ),
    re_path(r"^follow-through/?$", FollowThroughView.as_view(), name="follow-through"),
    re_path(r"^pulse/(?P<token>[^/]+)/?$", PulseView.as_view(), name="pulse-answer"),
]
