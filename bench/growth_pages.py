"""The pages of bench/growth.py through gunicorn: the project's config/gunicorn.conf.py on a
free local port, against the bench database, with the viewers' sessions as cookies.

Each page gets a gunicorn of its own, so a worker's peak memory (VmHWM) is that page's. The
SQL statements of a page are counted once through Django's test client in this process (the
same view and middleware; gunicorn's workers cannot be hooked from here).
"""

import http.client
import os
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bench.common import ROOT
from bench.growth_steps import peak_rss_mib

if TYPE_CHECKING:
    from django.contrib.auth.models import User

WORKERS = 2  # one per core of the bench machine; requests come one at a time anyway
WARM_UP = 3
STARTUP_SECONDS = 60


@dataclass(frozen=True)
class Page:
    label: str
    path: str
    viewer: "User | None"


@dataclass(frozen=True)
class PageResult:
    p50_ms: float
    p95_ms: float
    kilobytes: float
    peak_mib: float  # the highest VmHWM of the gunicorn workers that served it
    queries: int


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def session_cookie(viewer: "User | None") -> str:
    """A logged-in session for `viewer`, as the login page would leave it."""
    if viewer is None:
        return ""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(viewer)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def get(connection: http.client.HTTPConnection, path: str, cookie: str) -> bytes:
    # Behind a TLS-terminating proxy, as in production (PULSE_BEHIND_PROXY).
    headers = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https"}
    if cookie:
        headers["Cookie"] = cookie
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"GET {path}: {response.status} {body[:300]!r}")
    return body


class Gunicorn:
    def __init__(self, scratch: Path) -> None:
        self.port = free_port()
        environment = {
            **os.environ,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": str(WORKERS),
            "GUNICORN_ACCESS_LOG": os.devnull,
            "ALLOWED_HOSTS": "127.0.0.1",
        }
        self.log = (scratch / "gunicorn.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi"],
            cwd=ROOT,
            env=environment,
            stdout=self.log,
            stderr=self.log,
        )
        self.wait_until_ready()

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                get(self.connect(), "/anonymity/", "")
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer in time")

    def worker_peak_mib(self) -> float:
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return max(peak_rss_mib(int(child)) for child in children)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)
        self.log.close()


def queries_of(page: Page) -> int:
    from django.db import connection
    from django.test import Client

    from bench.launch_and_send import QueryCounter

    client = Client()
    if page.viewer is not None:
        client.force_login(page.viewer)
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        response = client.get(page.path, secure=True, headers={"host": "127.0.0.1"})
    assert response.status_code == 200, (page.path, response.status_code)
    return counter.total


def measure_page(page: Page, requests: int, scratch: Path) -> PageResult:
    cookie = session_cookie(page.viewer)
    server = Gunicorn(scratch)
    try:
        connection = server.connect()
        for _ in range(WARM_UP):
            get(connection, page.path, cookie)
        durations, size = [], 0
        for _ in range(requests):
            started = time.perf_counter()
            size = len(get(connection, page.path, cookie))
            durations.append(time.perf_counter() - started)
        connection.close()
        peak = server.worker_peak_mib()
    finally:
        server.stop()
    durations.sort()
    p95 = durations[max(0, int(len(durations) * 0.95) - 1)]
    result = PageResult(
        p50_ms=statistics.median(durations) * 1000,
        p95_ms=p95 * 1000,
        kilobytes=size / 1000,
        peak_mib=peak,
        queries=queries_of(page),
    )
    print(f"  {page.label}: {result}", flush=True)
    return result
