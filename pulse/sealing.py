"""Sealing pending ballots: AES-GCM under a key derived from PULSE_BALLOT_KEY.

The key lives in the environment, never in the database, so a dump of pending ballots taken
while a cycle is open shows only ciphertext. Each ballot has its own random nonce; the cycle id
is bound in as associated data, so a sealed ballot cannot be replayed into another cycle.
"""

import json
import os
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

NONCE_BYTES = 12


@cache
def cipher_for(secret: str) -> AESGCM:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"pulse pending ballots"
    ).derive(secret.encode())
    return AESGCM(key)


def seal(payload: dict, *, cycle_id: int) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    plaintext = json.dumps(payload, separators=(",", ":")).encode()
    return nonce + cipher_for(settings.PULSE_BALLOT_KEY).encrypt(
        nonce, plaintext, str(cycle_id).encode()
    )


def unseal(sealed: bytes, *, cycle_id: int) -> dict:
    """Open a ballot sealed under the current key, or under the previous one while a key
    rotation is under way (PULSE_BALLOT_KEY_PREVIOUS)."""
    data = bytes(sealed)
    keys = [settings.PULSE_BALLOT_KEY]
    if settings.PULSE_BALLOT_KEY_PREVIOUS:
        keys.append(settings.PULSE_BALLOT_KEY_PREVIOUS)
    for secret in keys:
        try:
            plaintext = cipher_for(secret).decrypt(
                data[:NONCE_BYTES], data[NONCE_BYTES:], str(cycle_id).encode()
            )
        except InvalidTag:
            continue
        return json.loads(plaintext)
    raise BallotKeyMismatch(
        "A pending ballot does not open with PULSE_BALLOT_KEY (nor PULSE_BALLOT_KEY_PREVIOUS): "
        "restore the key it was sealed with; see docs/deployment.md, Keys."
    )


class BallotKeyMismatch(Exception):
    pass
