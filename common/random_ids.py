"""Random (version 4) UUIDs in bulk, for rows written by the thousand.

`uuid.uuid4()` reads 16 bytes from the system's randomness per call, a system call each: at a
million people a release makes some 300,000 ids, and the calls alone took seconds. These are
the same UUIDs (the same source, os.urandom, and the same version and variant bits), read
IDS_PER_READ at a time."""

import os
import uuid
from collections.abc import Iterator

IDS_PER_READ = 4096


def uuid4s() -> Iterator[uuid.UUID]:
    """An endless supply of random UUIDs, as uuid.uuid4 makes them."""
    while True:
        block = os.urandom(16 * IDS_PER_READ)
        for start in range(0, len(block), 16):
            yield uuid.UUID(bytes=block[start : start + 16], version=4)
