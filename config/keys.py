"""Is a key strong enough for production? At least 32 random bytes (256 bits), as far as a
string can show it.

Randomness cannot be measured from one string, only bounded: a key can carry at most as many
bits as its length times what each character can hold in the smallest usual alphabet it fits
(hexadecimal 4 bits, base64 or URL-safe base64 6, other printable characters about 6.6). So
`secrets.token_urlsafe(32)` (43 characters, 258 bits) and `secrets.token_hex(32)` (64, 256)
pass, and `x`, `changeme` or a 20-character password cannot. A long key made of a handful of
characters repeated ("tttt…") is not random either: at least MIN_DISTINCT_CHARACTERS different
characters are asked for, which 32 random bytes in hex or base64 have (all but never fewer).
"""

import base64
import binascii
import math
import string

MIN_BITS = 256
MIN_DISTINCT_CHARACTERS = 10
HEX = frozenset(string.hexdigits)
BASE64 = frozenset(string.ascii_letters + string.digits + "+/-_=")
PRINTABLE_BITS = math.log2(95)  # the printable ASCII characters, space included
# The command that makes a good key, in every message that asks for one. 48 bytes rather than
# 32: DJANGO_SECRET_KEY must also pass Django's deploy check, which wants 50 characters.
GENERATE = "python -c 'import secrets; print(secrets.token_urlsafe(48))'"


def bits_at_most(key: str) -> float:
    """The most randomness `key` can hold, in bits (see the module's docstring)."""
    characters = set(key)
    if characters <= HEX:
        per_character = 4.0
    elif characters <= BASE64:
        per_character = 6.0
    else:
        per_character = PRINTABLE_BITS
    return len(key) * per_character


def weakness(key: str) -> str | None:
    """Why `key` is too weak for production, or None when it is not."""
    if bits_at_most(key) < MIN_BITS:
        length = f"{len(key)} character" + ("" if len(key) == 1 else "s")
        return (
            f"is {length} long, at most {bits_at_most(key):.0f} bits of randomness; at least "
            f"{MIN_BITS} (32 random bytes) are needed"
        )
    if len(set(key)) < MIN_DISTINCT_CHARACTERS:
        return (
            f"uses only {len(set(key))} different character"
            + ("" if len(set(key)) == 1 else "s")
            + f", so it is not random; at least {MIN_DISTINCT_CHARACTERS} are expected"
        )
    return None


def key_problems(keys: dict[str, str], development: dict[str, str]) -> list[str]:
    """One sentence per key that must not be used in production: a public development key, or
    a weak one. Keys that are not set (empty) are not checked; settings decide which must be."""
    problems = []
    for name, value in keys.items():
        if not value:
            continue
        if value == development.get(name):
            problems.append(f"{name} is the public development key")
        elif reason := weakness(value):
            problems.append(f"{name} {reason}")
    return problems


def public_key_problem(text: str) -> str | None:
    """PULSE_BALLOT_PUBLIC_KEY is an X25519 public key, 32 bytes in URL-safe base64, as
    `manage.py ballot_public_key` prints it. Anything else would fail every answer later."""
    try:
        raw = base64.urlsafe_b64decode(text.encode())
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) == 32:
        return None
    return (
        "PULSE_BALLOT_PUBLIC_KEY is not a ballot public key (32 bytes in URL-safe base64); "
        "print the right one with: PULSE_BALLOT_KEY=… python manage.py ballot_public_key"
    )
