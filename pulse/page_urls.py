"""Server-rendered pages (answer page, dashboards), mounted at the site root."""

from django.urls import path

from pulse import answer_views

urlpatterns = [
    path("a/<str:token>/", answer_views.answer_page, name="answer"),
    path("anonymity/", answer_views.anonymity_page, name="anonymity"),
]
