"""An operator's production configuration passes Django's deployment checklist."""

import os
import secrets
import subprocess
import sys

from tests.conftest import PROJECT_DIR

PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "k2VvX9mYq3Lr8Tz1Pw6Hs4Nd7Bc0Gf5Jx2Qa9Ue3Io8Rt1Ym6Wl4Zk7Sv0Hp5Dn",
    "PULSE_TOKEN_KEY": "Zr0xvQm7kE2pL9sWc4NfT1yHb8GdJ6uA3iXoV5qRtY_n",
    "PULSE_BALLOT_KEY": "mB4-kW9pQz2sXe7cV1nH6tLr3yJa8dFu0gKo5iNbTqRw",
    "ALLOWED_HOSTS": "pulse.example.com",
    "DATABASE_URL": "",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PULSE_"))}
    clean.update(DJANGO_SETTINGS_MODULE="config.settings", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_production_settings_pass_the_deploy_check_with_warnings_as_errors() -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deploy_check_does_fail_on_a_weak_setup() -> None:
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION, PULSE_HSTS_SECONDS="0"
    )
    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr


def test_pages_forbid_sniffing_and_keep_the_referrer_on_the_site(client) -> None:
    # The policy itself is checked on every page in tests/test_csp.py.
    response = client.get("/admin/login/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_a_one_character_key_stops_start_up_and_says_how_to_make_a_good_one() -> None:
    weak = dict.fromkeys(("DJANGO_SECRET_KEY", "PULSE_TOKEN_KEY", "PULSE_BALLOT_KEY"), "x")
    result = manage("check", "--deploy", **{**PRODUCTION, **weak})
    assert result.returncode != 0
    for name in weak:
        assert f"{name} is 1 character long, at most 6 bits of randomness" in result.stderr
    assert "python -c 'import secrets; print(secrets.token_urlsafe(48))'" in result.stderr


def test_keys_being_rotated_out_are_checked_too_and_repetition_is_not_randomness() -> None:
    result = manage(
        "check",
        "--deploy",
        **PRODUCTION,
        PULSE_TOKEN_KEY_PREVIOUS="t" * 64,
        PULSE_BALLOT_KEY_PREVIOUS="a-twenty-char-secret",
    )
    assert result.returncode != 0
    assert "PULSE_TOKEN_KEY_PREVIOUS uses only 1 different character" in result.stderr
    assert "PULSE_BALLOT_KEY_PREVIOUS is 20 characters long" in result.stderr
    assert "PULSE_TOKEN_KEY " not in result.stderr  # the current keys are fine


def test_a_web_host_starts_with_only_the_ballot_public_key_and_not_with_a_garbled_one() -> None:
    from pulse.sealing import private_key_from_secret, public_key_text

    web_host = {k: v for k, v in PRODUCTION.items() if k != "PULSE_BALLOT_KEY"}
    public = public_key_text(private_key_from_secret(PRODUCTION["PULSE_BALLOT_KEY"]))
    good = manage("check", "--deploy", **web_host, PULSE_BALLOT_PUBLIC_KEY=public)
    assert good.returncode == 0, good.stderr
    garbled = manage("check", "--deploy", **web_host, PULSE_BALLOT_PUBLIC_KEY=public[:20])
    assert garbled.returncode != 0
    assert "PULSE_BALLOT_PUBLIC_KEY is not a ballot public key" in garbled.stderr


def test_keys_made_as_the_docs_say_always_pass_and_short_or_repetitive_ones_never() -> None:
    from config.keys import weakness

    for _ in range(2000):
        for key in (secrets.token_urlsafe(32), secrets.token_hex(32), secrets.token_urlsafe(48)):
            assert weakness(key) is None, key
    for weak in ("x", "changeme", "correct horse battery staple", "ab" * 40, "0123456789"):
        assert weakness(weak) is not None, weak
