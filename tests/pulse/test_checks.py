"""Turning SQL logging on is flagged: a warning in development, an error in production."""

import logging

from django.core.checks import Error, Warning

from pulse.checks import sql_logging_is_off


def test_sql_logging_at_debug_is_reported(settings) -> None:
    logger = logging.getLogger("django.db.backends")
    level = logger.level
    try:
        logger.setLevel(logging.INFO)
        assert sql_logging_is_off() == []
        logger.setLevel(logging.DEBUG)
        settings.DEBUG = True
        assert [type(found) for found in sql_logging_is_off()] == [Warning]
        settings.DEBUG = False
        assert [type(found) for found in sql_logging_is_off()] == [Error]
    finally:
        logger.setLevel(level)
