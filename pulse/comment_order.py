"""The order a unit's comments are shown in: a keyed pseudo-random permutation of its slice.

Each comment is stored once per cycle, and a unit's comments are one slice of positions
(pulse.release_comments). Its pages show that slice in an order of its own: the i-th comment
shown is the one at `shown_position(i)` within the slice, a permutation keyed by the unit's
random `comments_shuffle_key`. So a page names its fifty positions without reading any other
comment, the order is the same on every visit (the key is stored), and one unit's order says
nothing about another's (their keys are independent) or about how the slice is laid out.

The permutation is a balanced Feistel network (four rounds of keyed BLAKE2b, a pseudo-random
permutation by Luby and Rackoff) over the smallest even power of two that holds the slice,
walked along its cycle until it lands inside the slice ("cycle walking", as format-preserving
encryption does): a bijection of 0..count-1 for every count. It needs to look random, not to
keep a secret: the key sits beside the comments, and the order hides nothing a reader of the
database does not already have.
"""

import hashlib

ROUNDS = 4
ROUND_BYTES = 8


def shown_position(index: int, *, count: int, key: bytes) -> int:
    """Where in a slice of `count` comments the `index`-th comment shown (from 0) lies."""
    if not 0 <= index < count:
        raise IndexError(f"comment {index} of {count}")
    half_bits = max(1, ((count - 1).bit_length() + 1) // 2)
    position = index
    while True:  # at most 4 steps on average: the domain is under 4 times the slice
        position = _feistel(position, half_bits=half_bits, key=key)
        if position < count:
            return position


def _feistel(value: int, *, half_bits: int, key: bytes) -> int:
    mask = (1 << half_bits) - 1
    left, right = value >> half_bits, value & mask
    for round_number in range(ROUNDS):
        digest = hashlib.blake2b(
            bytes([round_number]) + right.to_bytes(ROUND_BYTES, "big"),
            key=key,
            digest_size=ROUND_BYTES,
        ).digest()
        left, right = right, left ^ (int.from_bytes(digest, "big") & mask)
    return (left << half_bits) | right
