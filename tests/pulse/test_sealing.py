"""Sealed ballots: one length whatever was answered, opened only with the private key."""

import pytest

from pulse.sealing import (
    SEALED_BYTES,
    BallotKeyMismatch,
    private_key_from_secret,
    public_key_text,
    seal,
    seal_body,
    unseal,
)

SECRET = "ballot-key-for-this-test-" + "s" * 30


@pytest.mark.parametrize(
    "payload",
    [
        {"answers": {}, "enps": None, "comment": ""},
        {"answers": {f"item-{n}": 7 for n in range(40)}, "enps": 10, "comment": ""},
        {"answers": {"a": 1}, "enps": 0, "comment": "short"},
        {"answers": {"a": 1}, "enps": 0, "comment": "\U0001f600" * 2000},
        {"answers": {"a": 1}, "enps": 0, "comment": '"\\' * 1000},
    ],
)
def test_every_sealed_ballot_has_the_same_length(payload: dict, settings) -> None:
    settings.PULSE_BALLOT_KEY, settings.PULSE_BALLOT_PUBLIC_KEY = SECRET, ""
    sealed = seal(payload, cycle_id=3)
    assert len(sealed) == SEALED_BYTES
    assert unseal(sealed, cycle_id=3) == payload


def test_a_web_process_with_only_the_public_key_seals_but_cannot_open(settings) -> None:
    settings.PULSE_BALLOT_KEY = ""
    settings.PULSE_BALLOT_PUBLIC_KEY = public_key_text(private_key_from_secret(SECRET))
    sealed = seal({"answers": {"a": 4}, "enps": 5, "comment": ""}, cycle_id=1)
    with pytest.raises(BallotKeyMismatch):
        unseal(sealed, cycle_id=1)
    settings.PULSE_BALLOT_KEY = SECRET  # the sweeping worker
    assert unseal(sealed, cycle_id=1)["answers"] == {"a": 4}


def test_a_ballot_sealed_for_one_survey_does_not_open_as_another(settings) -> None:
    settings.PULSE_BALLOT_KEY, settings.PULSE_BALLOT_PUBLIC_KEY = SECRET, ""
    sealed = seal({"answers": {}, "enps": None, "comment": ""}, cycle_id=1)
    with pytest.raises(BallotKeyMismatch):
        unseal(sealed, cycle_id=2)


def test_sealing_the_same_answers_twice_gives_unrelated_bytes(settings) -> None:
    settings.PULSE_BALLOT_KEY, settings.PULSE_BALLOT_PUBLIC_KEY = SECRET, ""
    payload = {"answers": {"a": 4}, "enps": 5, "comment": ""}
    first, second = seal(payload, cycle_id=1), seal(payload, cycle_id=1)
    assert first[:32] != second[:32] and first[44:] != second[44:]


def test_a_sealed_ballot_whose_bytes_are_not_utf8_opens_with_replacement_characters(
    settings,
) -> None:
    settings.PULSE_BALLOT_KEY, settings.PULSE_BALLOT_PUBLIC_KEY = SECRET, ""
    sealed = seal_body(b'{"answers":{},"comment":"ok \xff\xfe","enps":1}', cycle_id=3)
    assert unseal(sealed, cycle_id=3) == {"answers": {}, "comment": "ok \ufffd\ufffd", "enps": 1}
