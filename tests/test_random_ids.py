"""Ids made in bulk are what uuid.uuid4 makes: version 4, the RFC 4122 variant, and never
the same twice, across the boundary of one read of randomness and the next."""

import uuid
from itertools import islice

from common.random_ids import IDS_PER_READ, uuid4s


def test_bulk_ids_are_random_version_4_uuids_that_never_repeat() -> None:
    ids = list(islice(uuid4s(), 2 * IDS_PER_READ + 3))
    assert all(made.version == 4 and made.variant == uuid.RFC_4122 for made in ids)
    assert len(set(ids)) == len(ids)
    # Two supplies read the system's randomness apart: they share nothing either.
    assert not set(islice(uuid4s(), IDS_PER_READ)) & set(ids)
