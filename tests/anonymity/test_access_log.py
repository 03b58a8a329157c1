"""Attack: read the web server's access log for answer links. The shipped gunicorn
configuration must write none, and no client address either."""

import socket
import subprocess
import sys
import time
import urllib.request
from urllib.error import HTTPError

import pytest

from tests.conftest import PROJECT_DIR, subprocess_env

TOKEN = "SECRETtoken0123456789abcdefghijklmnopqrstu"
CYCLE = "CYCLEpublicId0123456789"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.django_db(transaction=True)
def test_gunicorns_access_log_holds_no_answer_link_and_no_address(tmp_path) -> None:
    port = free_port()
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi"],
            cwd=PROJECT_DIR,
            env=subprocess_env(
                PORT=str(port), GUNICORN_WORKERS="1", DJANGO_SETTINGS_MODULE="config.settings"
            ),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            statuses = []
            paths = (f"/a/{TOKEN}/", f"/a/{CYCLE}/{TOKEN}/", f"/api/v1/pulse/{TOKEN}?from=email")
            for path in paths:
                for _ in range(50):
                    try:
                        urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5)
                    except HTTPError as refused:
                        statuses.append(refused.code)
                        break
                    except OSError:
                        time.sleep(0.2)
        finally:
            server.terminate()
            server.wait(timeout=30)
    text = log.read_text(errors="replace")
    assert statuses == [404, 404, 404]
    assert text.count('"GET /a/[redacted]/ HTTP/1.1" 404') == 2, "both forms of the link"
    assert '"GET /api/v1/pulse/[redacted]?from=email HTTP/1.1" 404' in text
    assert TOKEN not in text and CYCLE not in text
    assert "127.0.0.1 " not in text.replace(f"127.0.0.1:{port}", "")
