"""An operator's production configuration passes Django's deployment checklist."""

import os
import subprocess
import sys

from tests.conftest import PROJECT_DIR

PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "k2VvX9mYq3Lr8Tz1Pw6Hs4Nd7Bc0Gf5Jx2Qa9Ue3Io8Rt1Ym6Wl4Zk7Sv0Hp5Dn",
    "PULSE_TOKEN_KEY": "t" * 48,
    "PULSE_BALLOT_KEY": "b" * 48,
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
