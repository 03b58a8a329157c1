"""Reading settings from the environment, strictly: a value that means nothing stops start-up.

`DJANGO_DEBUG=flase` must not quietly turn into one of the two meanings; an error that names the
variable and the value is the only safe answer.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from common import flags


def parse_flag(name: str, value: str) -> bool:
    try:
        return flags.parse_flag(name, value)
    except flags.NotAFlag as error:
        raise ImproperlyConfigured(str(error)) from None


def env_flag(name: str, default: bool) -> bool:
    """A true/false variable; unset or empty means `default`."""
    value = os.environ.get(name, "")
    return default if value.strip() == "" else parse_flag(name, value)


def env_list(name: str, default: str) -> list[str]:
    """A comma-separated variable, blanks dropped."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]
