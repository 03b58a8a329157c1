"""Reading settings from the environment, strictly: a value that means nothing stops start-up.

`DJANGO_DEBUG=flase` must not quietly turn into one of the two meanings; an error that names the
variable and the value is the only safe answer.
"""

import os

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


def parse_flag(name: str, value: str) -> bool:
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is neither true ({', '.join(sorted(TRUE_WORDS))}) "
        f"nor false ({', '.join(sorted(FALSE_WORDS))})."
    )


def env_flag(name: str, default: bool) -> bool:
    """A true/false variable; unset or empty means `default`."""
    value = os.environ.get(name, "")
    return default if value.strip() == "" else parse_flag(name, value)


def env_list(name: str, default: str) -> list[str]:
    """A comma-separated variable, blanks dropped."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]
