"""Server-rendered pages (answer page, dashboards), mounted at the site root."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
