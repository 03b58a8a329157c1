"""Server-rendered pages (answer page, dashboards), mounted at the site root."""

from django.urls import path

from pulse import answer_views, dashboard_views, linkage_views, loop_views

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("dashboard/<int:unit>/summary/", loop_views.team_summary, name="team-summary"),
    path("dashboard/<int:unit>/focus/", loop_views.focus_page, name="focus"),
    path("dashboard/<int:unit>/focus/share/", loop_views.share, name="focus-share"),
    path(
        "dashboard/commitments/<int:commitment>/status/",
        loop_views.commitment_status,
        name="commitment-status",
    ),
    path("hr/follow-through/", loop_views.follow_through, name="hr-follow-through"),
    path("hr/heatmap/", dashboard_views.heatmap, name="hr-heatmap"),
    path(
        "hr/employees-and-customers/",
        linkage_views.employees_and_customers,
        name="hr-linked",
    ),
    path(
        "hr/employees-and-customers.csv",
        linkage_views.employees_and_customers_csv,
        name="hr-linked-csv",
    ),
    path("hr/participation/", dashboard_views.participation, name="hr-participation"),
    path("a/<str:token>/", answer_views.answer_page, name="answer"),
    path("a/<str:cycle>/<str:token>/", answer_views.answer_page, name="answer-in-cycle"),
    path("anonymity/", answer_views.anonymity_page, name="anonymity"),
]
