"""System checks for settings that would weaken the anonymity promises."""

import logging

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

SQL_LOGGER = "django.db.backends"


@register(deploy=False)
def sql_logging_is_off(**kwargs: object) -> list[CheckMessage]:
    """Statement logging records every query with its time. The statements that would pair a
    person with an answer are withheld (pulse.log_redaction), but what remains still tells an
    operator more than an anonymous survey should: refuse it in production, warn elsewhere."""
    if not logging.getLogger(SQL_LOGGER).isEnabledFor(logging.DEBUG):
        return []
    message = f"The {SQL_LOGGER} logger is at DEBUG: every SQL statement is logged with its time."
    hint = (
        "Set the level of the django.db.backends logger to INFO or higher (LOGGING). Statements "
        "on answers, links and answered invitations are withheld, but nothing else is."
    )
    if settings.DEBUG:
        return [Warning(message, hint=hint, id="pulse.W001")]
    return [Error(message, hint=hint, id="pulse.E001")]
