from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "teams"
    verbose_name = "Organisation"

    def ready(self) -> None:
        # The schema's descriptions of the API's logins register themselves when imported.
        from teams import api_schema  # noqa: F401
