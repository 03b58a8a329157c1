"""Reading ids from query strings (`?cycle=3`, `?unit=12`).

`str.isdigit()` alone is not enough: it accepts "²" and "٣", which `int()` refuses or reads as
3, and `int()` refuses more than 4,300 digits. An id is ASCII digits, and no longer than a
64-bit database id can be.
"""

MAX_ID_DIGITS = 18


def id_from_query(raw: str | None) -> int | None:
    """The id `raw` spells in ASCII digits, or None when it does not spell one."""
    if raw is None or not (raw.isascii() and raw.isdigit()) or len(raw) > MAX_ID_DIGITS:
        return None
    return int(raw)
