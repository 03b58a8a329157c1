from django.apps import AppConfig


class PulseConfig(AppConfig):
    name = "pulse"
    verbose_name = "Anonymous answers and results"

    def ready(self) -> None:
        from pulse import checks  # noqa: F401  (registers the system checks)
        from pulse.log_redaction import install_record_factory

        install_record_factory()
