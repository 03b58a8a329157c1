"""Screenshots of every page people use, on a throwaway demo (`scripts/screenshots DIR`).

It migrates a fresh SQLite database in a temporary folder, loads the demo (`seed_demo`), starts
Django's server on a free port with a file outbox, and walks the pages as the demo's people:
HR launches a survey, the scheduler's pass (`manage.py tick`) emails it, an employee answers
from the emailed link, HR closes it, a new manager sets a password from Pulse's email. Each
page is saved as NAME-phone.png (390x844) and NAME-desktop.png (1280x800), whole. Pages wider
than the screen are listed at the end, and the run fails if there are any.
"""

import csv
import email
import io
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
SIZES: dict[str, ViewportSize] = {
    "phone": {"width": 390, "height": 844},
    "desktop": {"width": 1280, "height": 800},
}
PASSWORD = "pulse-demo"  # noqa: S105 (the demo logins' published password, see README)
HR = "nadia.petrova@example.com"
MANAGER = "daniel.novak@example.com"
ANSWER_LINK = re.compile(r"https?://\S+/a/(?:[A-Za-z0-9_\-]{20,}/)?[A-Za-z0-9_\-]{20,}/")
SET_PASSWORD_LINK = re.compile(r"https?://\S+/accounts/password/reset/key/\S+")

# The demo's people as an org file (the import's own columns), for the import page.
PEOPLE_CSV = """
import csv, sys
from teams.models import Person, Team
leads = dict(Team.objects.values_list("manager_id", "name"))
out = csv.writer(sys.stdout)
out.writerow(["employee_id", "email", "name", "manager_id", "team"])
for person in Person.objects.filter(active=True).select_related("manager").order_by("pk"):
    manager = person.manager.employee_id if person.manager else ""
    out.writerow([person.employee_id, person.email, person.name, manager, leads.get(person.pk, "")])
"""

# A manager of the demo who has no login yet: HR invites them.
MANAGER_WITHOUT_LOGIN = """
from teams.models import Team
team = Team.objects.filter(manager__user__isnull=True, manager__active=True).order_by("pk").first()
print(team.manager.name if team else "")
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Demo:
    """A demo of its own: database, outbox and web server in `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.outbox = folder / "outbox"
        self.env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{folder / 'demo.sqlite3'}",
            "DJANGO_DEBUG": "true",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(self.outbox),
            "PULSE_BASE_URL": self.url,
            "PULSE_VAR_DIR": str(folder),
            "PYTHONUNBUFFERED": "1",
        }

    def manage(self, *args: str) -> str:
        done = subprocess.run(  # noqa: S603 (our own manage.py, with fixed arguments)
            [sys.executable, str(ROOT / "manage.py"), *args],
            env=self.env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout

    @contextmanager
    def server(self) -> Iterator[None]:
        """The web server, and a worker for the jobs pages start (an org file's check)."""
        log = (self.folder / "web.log").open("w")
        web = subprocess.Popen(  # noqa: S603 (our own manage.py, with fixed arguments)
            [sys.executable, str(ROOT / "manage.py"), "runserver", "--noreload", str(self.port)],
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo"],
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            for _ in range(100):
                try:
                    urlopen(f"{self.url}/accounts/login/", timeout=2).close()  # noqa: S310
                    break
                except (URLError, ConnectionError):
                    time.sleep(0.2)
            else:
                raise RuntimeError(f"The demo's web server did not start: see {log.name}")
            yield
        finally:
            for process in (web, worker):
                process.terminate()
                process.wait(timeout=10)
            log.close()

    def emailed(self, pattern: re.Pattern[str], to: str = "") -> list[str]:
        """Every link matching `pattern` in the outbox's plain-text bodies, oldest first."""
        links = []
        for path in sorted(self.outbox.glob("*.log"), key=lambda path: path.stat().st_mtime):
            for raw in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                message = email.message_from_bytes(raw.strip())
                if to and to not in str(message.get("To", "")):
                    continue
                for part in message.walk():
                    if part.get_content_type() == "text/plain":
                        body = part.get_payload(decode=True)
                        if isinstance(body, bytes):
                            charset = part.get_content_charset() or "utf-8"
                            links += pattern.findall(body.decode(charset))
        return links


class Camera:
    """Saves a page at each size and remembers the ones that scroll sideways."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.taken: list[str] = []
        self.too_wide: list[str] = []

    def shoot(self, page: Page, name: str) -> None:
        for size_name, size in SIZES.items():
            page.set_viewport_size(size)
            page.wait_for_timeout(100)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > size["width"]:
                self.too_wide.append(f"{name} at {size_name} ({width}px)")
            page.screenshot(path=str(self.folder / f"{name}-{size_name}.png"), full_page=True)
        self.taken.append(name)


def logged_in(browser: Browser, demo: Demo, login: str) -> Page:
    page = browser.new_page(viewport=SIZES["desktop"])
    page.goto(f"{demo.url}/accounts/login/")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()
    return page


def org_files(demo: Demo, folder: Path) -> tuple[Path, Path]:
    """The demo's org file with one change and a new person: once with a mistyped address."""
    output = demo.manage("shell", "-c", PEOPLE_CSV)
    rows = [row for row in csv.reader(io.StringIO(output)) if len(row) == 5]
    header, people = rows[0], rows[1:]
    lead = next(row for row in people if row[4] and row[3])
    lead[4] = f"{lead[4]} and Friends"
    people.append(["NEW1", "rosa.parks@example.com", "Rosa Parks", lead[0], ""])
    mistyped = [*people[:-1], ["NEW1", "rosa.parks-at-example.com", "Rosa Parks", lead[0], ""]]
    fixed, bad = folder / "people.csv", folder / "people-with-a-mistake.csv"
    for path, content in ((fixed, people), (bad, mistyped)):
        with path.open("w", newline="") as file:
            csv.writer(file).writerows([header, *content])
    return bad, fixed


def answer(page: Page) -> None:
    for fieldset in page.locator("fieldset.question").all()[:-1]:
        fieldset.locator("label.choice").nth(4).click()
    page.locator(".scale.enps label.choice").nth(8).click()
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_load_state()


def walk(browser: Browser, demo: Demo, camera: Camera) -> None:
    shoot = camera.shoot
    visitor = browser.new_page(viewport=SIZES["desktop"])
    visitor.goto(f"{demo.url}/accounts/login/")
    shoot(visitor, "login")
    visitor.goto(f"{demo.url}/a/this-link-was-never-sent-to-anyone-at-all/")
    shoot(visitor, "link-unknown")
    visitor.goto(f"{demo.url}/anonymity/")
    shoot(visitor, "anonymity")

    hr = logged_in(browser, demo, HR)
    for name, path in [
        ("heatmap", "/hr/heatmap/"),
        ("participation", "/hr/participation/"),
        ("follow-through", "/hr/follow-through/"),
        ("employees-and-customers", "/hr/employees-and-customers/"),
        ("cadences", "/hr/cadences/"),
        ("cadence-new", "/hr/cadences/new/?kind=quarterly"),
    ]:
        hr.goto(demo.url + path)
        shoot(hr, name)

    bad, fixed = org_files(demo, demo.folder)
    hr.goto(f"{demo.url}/hr/org/import/")
    shoot(hr, "org-import")
    hr.set_input_files("#org-file", str(bad))
    hr.click("text=Preview the changes")
    shoot(hr, "org-import-checking")
    # The check runs in the worker; the page reloads itself until it shows the problems.
    hr.wait_for_selector("text=cannot be imported", timeout=60_000)
    shoot(hr, "org-import-errors")
    hr.set_input_files("#org-file", str(fixed))
    hr.click("text=Preview the changes")
    hr.wait_for_selector("#preview-heading", timeout=60_000)
    shoot(hr, "org-import-preview")
    hr.click("text=Cancel")

    hr.goto(f"{demo.url}/hr/cycles/")
    shoot(hr, "cycles")
    hr.locator("a", has_text=re.compile(r"^Launch .* now…$")).first.click()
    shoot(hr, "cycle-launch")
    hr.locator("form button[type=submit]", has_text="Launch and email").click()
    hr.wait_for_url("**/hr/cycles/?launched=*")
    demo.manage("tick")
    hr.reload()
    shoot(hr, "cycles-launched")
    hr.goto(f"{demo.url}/hr/participation/")
    shoot(hr, "participation-open")

    employee = browser.new_page(viewport=SIZES["phone"])
    first, second = demo.emailed(ANSWER_LINK)[:2]
    employee.goto(first)
    shoot(employee, "answer")
    employee.set_viewport_size(SIZES["phone"])
    answer(employee)
    shoot(employee, "thanks")
    employee.goto(first)
    shoot(employee, "link-used")

    hr.goto(f"{demo.url}/hr/cycles/")
    hr.locator("a", has_text="Close now…").first.click()
    shoot(hr, "cycle-close")
    hr.locator("form button[type=submit]").last.click()
    hr.wait_for_url("**/hr/cycles/?closed=*")
    shoot(hr, "cycles-closed")
    employee.goto(second)
    shoot(employee, "link-closed")

    hr.goto(f"{demo.url}/hr/audit/")
    shoot(hr, "audit-log")
    hr.goto(f"{demo.url}/profile/")
    hr.fill("input[name=name]", "Nightly export")
    hr.locator("form button[type=submit]", has_text="Create").click()
    hr.wait_for_load_state()
    shoot(hr, "profile-token-created")
    hr.goto(f"{demo.url}/profile/")
    shoot(hr, "profile")

    # The shell says first what it imported; the name is its last line.
    newcomer = demo.manage("shell", "-c", MANAGER_WITHOUT_LOGIN).strip().splitlines()[-1]
    hr.goto(f"{demo.url}/admin/teams/person/?q={newcomer.split()[-1]}")
    hr.locator("tr", has_text=newcomer).locator("input.action-select").check()
    hr.select_option("select[name=action]", "invite_to_log_in")
    hr.click("button[name=index]")
    invited = browser.new_page(viewport=SIZES["desktop"])
    invited.goto(demo.emailed(SET_PASSWORD_LINK)[-1])
    shoot(invited, "set-password")
    invited.fill("input[name=password1]", "a-new-managers-password-1")
    invited.fill("input[name=password2]", "a-new-managers-password-1")
    invited.locator("form button[type=submit]").click()
    invited.wait_for_load_state()
    shoot(invited, "dashboard-new-manager")

    manager = logged_in(browser, demo, MANAGER)
    manager.goto(f"{demo.url}/dashboard/")
    shoot(manager, "dashboard")
    summary = manager.locator("a[href*='/summary/']").first.get_attribute("href")
    focus = manager.locator("a[href*='/focus/']").first.get_attribute("href")
    for page_name, address in (("team-summary", summary), ("focus", focus)):
        if address:
            manager.goto(demo.url + address)
            shoot(manager, page_name)
    manager.goto(f"{demo.url}/no-such-page/")
    shoot(manager, "404")
    manager.goto(f"{demo.url}/hr/heatmap/")
    shoot(manager, "404-hr-page-for-a-manager")
    # A form sent without its CSRF token, as an expired page sends it: the refusal page.
    manager.goto(f"{demo.url}/profile/")
    manager.evaluate(
        "document.querySelectorAll('input[name=csrfmiddlewaretoken]').forEach(i => i.remove())"
    )
    manager.fill("input[name=name]", "Script")
    manager.locator("form button[type=submit]", has_text="Create").click()
    manager.wait_for_load_state()
    shoot(manager, "403")


def main() -> int:
    if len(sys.argv) != 2:
        print("Usage: scripts/screenshots DIR", file=sys.stderr)
        return 2
    target = Path(sys.argv[1]).resolve()
    target.mkdir(parents=True, exist_ok=True)
    chromium = shutil.which(os.environ.get("PULSE_CHROMIUM", "chromium"))
    if chromium is None:
        print("Debian's chromium is needed: apt-get install chromium", file=sys.stderr)
        return 1
    camera = Camera(target)
    with tempfile.TemporaryDirectory(prefix="pulse-screenshots-") as folder:
        demo = Demo(Path(folder))
        print("Loading the demo into a throwaway database…")
        demo.manage("migrate", "--noinput")
        demo.manage("seed_demo")
        with demo.server(), sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium, args=["--no-sandbox", "--disable-gpu"]
            )
            try:
                walk(browser, demo, camera)
            finally:
                browser.close()
    print(f"{len(camera.taken)} pages, {2 * len(camera.taken)} screenshots in {target}")
    if camera.too_wide:
        print("Wider than the screen:\n  " + "\n  ".join(camera.too_wide))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
