"""Reading ids, page numbers and searches from query strings (`?cycle=3`, `?page=2`).

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


# A page number past this is no page a person pages to; refusing it keeps OFFSET bounded.
MAX_PAGE = 100_000
# A search longer than any team or manager name finds nothing: cut there.
MAX_SEARCH_CHARACTERS = 200


def page_from_query(raw: str | None) -> int:
    """The page number `raw` asks for (1 when it asks for none); 0 when it names no page."""
    if raw is None or raw == "":
        return 1
    number = id_from_query(raw)
    return number if number is not None and 1 <= number <= MAX_PAGE else 0


def search_from_query(raw: str | None) -> str:
    return (raw or "").strip()[:MAX_SEARCH_CHARACTERS]
