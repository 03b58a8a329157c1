"""Server-rendered pages (answer page, dashboards), mounted at the site root."""

from django.urls import path

from pulse import answer_views, dashboard_views

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("hr/heatmap/", dashboard_views.heatmap, name="hr-heatmap"),
    path("hr/participation/", dashboard_views.participation, name="hr-participation"),
    path("a/<str:token>/", answer_views.answer_page, name="answer"),
    path("anonymity/", answer_views.anonymity_page, name="anonymity"),
]
