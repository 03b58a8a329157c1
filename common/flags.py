"""The one true/false vocabulary, strict: a word that means neither is an error, never False.

Settings (config.env) and API query flags (teams.api) both read it, each turning the error into
its own kind: a refusal to start, or a 400 that names the parameter.
"""

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


class NotAFlag(ValueError):
    """The value is neither one of TRUE_WORDS nor one of FALSE_WORDS."""

    def __init__(self, name: str, value: object) -> None:
        super().__init__(
            f"{name}={value!r} is neither true ({', '.join(sorted(TRUE_WORDS))}) "
            f"nor false ({', '.join(sorted(FALSE_WORDS))})."
        )


def parse_flag(name: str, value: object) -> bool:
    """True or False for a word or a JSON boolean; NotAFlag for anything else."""
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise NotAFlag(name, value)
