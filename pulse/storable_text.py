"""Text the databases will store: the one rule, for the answer sheet and for the sweep.

PostgreSQL refuses a NUL character (U+0000) in text and in JSON, and every database Pulse runs
on stores UTF-8, which has no encoding for a lone surrogate (U+D800 to U+DFFF without its pair:
Python's str can hold one, a JSON escape such as "\\ud800" can carry one). Either, once in a
ballot, would make the sweep's insert fail every minute.

At the door, pulse.answer_sheet refuses such text with a field error, and the link stays
usable. A ballot sealed before that check existed is repaired when the sweep opens it
(`repaired`): NUL characters are removed and each lone surrogate becomes U+FFFD, the
replacement character, so the answer is stored rather than lost (docs/anonymity.md).
"""

from dataclasses import dataclass

NUL = "\x00"
REPLACEMENT_CHARACTER = "\ufffd"
SURROGATES = range(0xD800, 0xE000)


@dataclass(frozen=True)
class Unstorable:
    """The first character of a text that cannot be stored: where (1-based) and why."""

    position: int
    code_point: int

    @property
    def why(self) -> str:
        if self.code_point == 0:
            return "a NUL character (U+0000), which cannot be stored"
        return (
            f"a lone surrogate (U+{self.code_point:04X}), which is not a character and cannot "
            "be stored as text"
        )

    def message(self) -> str:
        return f"contains {self.why}, at character {self.position}; remove it and send again"


def first_unstorable(text: str) -> Unstorable | None:
    for index, character in enumerate(text):
        code_point = ord(character)
        if code_point == 0 or code_point in SURROGATES:
            return Unstorable(position=index + 1, code_point=code_point)
    return None


def shown(text: str) -> str:
    """The text with every unstorable character written as an escape ("\\u0000"), so an error
    can name it, in a JSON body or on a page, without carrying it."""
    return "".join(
        f"\\u{ord(character):04x}" if first_unstorable(character) else character
        for character in text
    )


def marked(text: str) -> str:
    """The text with every unstorable character replaced by U+FFFD, so that a form shown again
    shows where the problem was (a browser would drop a NUL or show it as nothing)."""
    return "".join(
        REPLACEMENT_CHARACTER if first_unstorable(character) else character for character in text
    )


def repaired_text(text: str) -> str:
    return "".join(
        REPLACEMENT_CHARACTER if ord(character) in SURROGATES else character
        for character in text
        if character != NUL
    )


def repaired(value: object) -> object:
    """`value` (an opened ballot: dicts, lists, strings, numbers) with every string, keys
    included, made storable; anything else unchanged."""
    if isinstance(value, str):
        return repaired_text(value)
    if isinstance(value, dict):
        return {repaired(key): repaired(item) for key, item in value.items()}
    if isinstance(value, list):
        return [repaired(item) for item in value]
    return value


def repaired_ballot(payload: dict) -> dict:
    ballot = repaired(payload)
    assert isinstance(ballot, dict)
    return ballot
