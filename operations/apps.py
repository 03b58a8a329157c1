from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """The composition root: commands and the demo that use every app. Nothing imports it."""

    name = "operations"
    verbose_name = "Operations"
