"""Sealing pending ballots: for the sweeping worker's eyes only, all of one size.

A ballot is sealed to a public key (X25519, then HKDF-SHA256, then AES-256-GCM with the cycle
id as associated data, so a sealed ballot cannot be replayed into another cycle). The web
process needs only the public half (PULSE_BALLOT_PUBLIC_KEY); the private half
(PULSE_BALLOT_KEY) is given only to the worker that sweeps, so a copy of the web server's
environment opens nothing.

Every sealed ballot has the same length, whatever was answered: the plaintext is padded to
PADDED_BYTES before sealing. An unpadded ballot's length would tell a database dump which
response and which comment it later became.

Each ballot has its own ephemeral key pair, so sealing the same answers twice gives unrelated
bytes; the sweep uses that to re-seal waiting ballots under fresh bytes (see pulse.sweep).
"""

import base64
import json
import os
import struct
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
LENGTH_PREFIX = struct.Struct(">I")
# The largest valid ballot: a 2000-character comment of 4-byte characters (8,000 bytes of
# UTF-8) and the answers to every question of a survey, with room to spare. The answer checks
# (pulse.answer_sheet) keep every valid ballot below it.
PADDED_BYTES = 12 * 1024
SEALED_BYTES = KEY_BYTES + NONCE_BYTES + PADDED_BYTES + TAG_BYTES


class BallotKeyMismatch(Exception):
    # Its message is fixed advice to the operator, never a ballot's contents: a contained
    # failure's log line may quote it (common.failures).
    message_is_advice = True


class BallotTooLarge(ValueError):
    pass


def private_key_from_secret(secret: str) -> X25519PrivateKey:
    """PULSE_BALLOT_KEY is any long random string; the X25519 key is derived from it."""
    raw = HKDF(
        algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=b"pulse ballot private key"
    ).derive(secret.encode())
    return X25519PrivateKey.from_private_bytes(raw)


def public_key_text(private_key: X25519PrivateKey) -> str:
    """The form PULSE_BALLOT_PUBLIC_KEY takes: the raw public key, base64url."""
    raw = private_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return base64.urlsafe_b64encode(raw).decode()


@cache
def _public_key(public_text: str, secret: str) -> X25519PublicKey:
    if public_text:
        return X25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(public_text))
    return private_key_from_secret(secret).public_key()


@cache
def _private_key(secret: str) -> X25519PrivateKey:
    return private_key_from_secret(secret)


def sealing_key() -> X25519PublicKey:
    """The public key, given directly or (in development) derived from the private one."""
    return _public_key(settings.PULSE_BALLOT_PUBLIC_KEY, settings.PULSE_BALLOT_KEY)


def _symmetric_key(shared: bytes, ephemeral_public: bytes) -> AESGCM:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=ephemeral_public, info=b"pulse sealed ballot"
    ).derive(shared)
    return AESGCM(key)


def ballot_body(payload: dict) -> bytes:
    # Keys sorted: the bytes of a ballot do not depend on the order a client sent them in.
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode()


def pad(body: bytes) -> bytes:
    if LENGTH_PREFIX.size + len(body) > PADDED_BYTES:
        raise BallotTooLarge(f"A ballot of {len(body)} bytes does not fit in {PADDED_BYTES}.")
    framed = LENGTH_PREFIX.pack(len(body)) + body
    return framed + bytes(PADDED_BYTES - len(framed))


def unpad(padded: bytes) -> dict:
    (length,) = LENGTH_PREFIX.unpack_from(padded)
    body = padded[LENGTH_PREFIX.size : LENGTH_PREFIX.size + length]
    # Bytes that are not UTF-8 become U+FFFD rather than an error: an accepted answer is
    # stored, never lost (pulse.storable_text repairs the rest when the sweep opens it).
    return json.loads(body.decode("utf-8", errors="replace"))


def seal(payload: dict, *, cycle_id: int) -> bytes:
    return seal_body(ballot_body(payload), cycle_id=cycle_id)


def seal_body(body: bytes, *, cycle_id: int) -> bytes:
    """Seal a ballot already written as JSON bytes (`seal` writes them from the answers)."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    cipher = _symmetric_key(ephemeral.exchange(sealing_key()), ephemeral_public)
    nonce = os.urandom(NONCE_BYTES)
    return ephemeral_public + nonce + cipher.encrypt(nonce, pad(body), associated_data(cycle_id))


def unseal(sealed: bytes | memoryview, *, cycle_id: int) -> dict:
    """Open a ballot with the private key, or with the previous one while a key rotation is
    under way (PULSE_BALLOT_KEY_PREVIOUS). Only the sweeping worker can do this."""
    data = bytes(sealed)
    ephemeral_public = data[:KEY_BYTES]
    nonce = data[KEY_BYTES : KEY_BYTES + NONCE_BYTES]
    ciphertext = data[KEY_BYTES + NONCE_BYTES :]
    secrets_to_try = [settings.PULSE_BALLOT_KEY, settings.PULSE_BALLOT_KEY_PREVIOUS]
    for secret in filter(None, secrets_to_try):
        shared = _private_key(secret).exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
        try:
            padded = _symmetric_key(shared, ephemeral_public).decrypt(
                nonce, ciphertext, associated_data(cycle_id)
            )
        except InvalidTag:
            continue
        return unpad(padded)
    raise BallotKeyMismatch(
        "A pending ballot does not open with PULSE_BALLOT_KEY (nor PULSE_BALLOT_KEY_PREVIOUS): "
        "give the sweeping worker the private key it was sealed for; see docs/deployment.md, "
        "Keys."
    )


def associated_data(cycle_id: int) -> bytes:
    return f"pulse cycle {cycle_id}".encode()
