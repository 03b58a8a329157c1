"""In a real browser, on the demo company: after a release Kenji follows the "results are
ready" email to his dashboard, chooses a focus on his phone, writes two commitments and shares
them; Nadia (HR) then finds Platform on the follow-through page, on a laptop. The browser refuses
nothing on any of these pages (the Content-Security-Policy holds)."""

import datetime
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from surveys.models import Focus
from teams.demo import existing_demo_logins

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path(__file__).parent.parent.parent / "var" / "screenshots"


def log_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", password)
    page.locator("form button[type=submit]").first.click()


def watch(page, refused: list[str]) -> None:
    """Collect what the browser refused (CSP) or could not load, but the favicon nobody has."""
    page.on(
        "console",
        lambda message: (
            refused.append(message.text)
            if message.type == "error" and "Failed to load resource" not in message.text
            else None
        ),
    )
    page.on(
        "response",
        lambda response: (
            refused.append(f"{response.status} {response.url}")
            if response.status >= 400 and not response.url.endswith("/favicon.ico")
            else None
        ),
    )


def test_a_manager_walks_the_loop_and_hr_sees_it(live_server, browser, settings) -> None:
    settings.PULSE_BASE_URL = live_server.url
    call_command("seed_demo", stdout=StringIO())
    logins = {login.person.name: login for login in existing_demo_logins()}
    kenji, nadia = logins["Kenji Tanaka"], logins["Nadia Petrova"]
    email = next(
        m
        for m in reversed(mail.outbox)
        if m.to == [kenji.person.email] and "results are ready" in m.subject
    )
    link = re.search(r"http://\S+/dashboard/\?cycle=\d+", str(email.body))
    assert link is not None
    SHOTS.mkdir(parents=True, exist_ok=True)
    refused: list[str] = []

    phone = browser.new_page(viewport={"width": 390, "height": 844})
    watch(phone, refused)
    log_in(phone, live_server.url, kenji.username, kenji.password)
    phone.goto(link.group(0))
    assert phone.get_by_role("heading", name="After the results").is_visible()
    phone.screenshot(path=str(SHOTS / "loop-dashboard-phone.png"), full_page=True)
    phone.get_by_role("link", name="Team summary to show or print").click()
    assert phone.get_by_role("heading", name="Questions for us").is_visible()
    phone.screenshot(path=str(SHOTS / "loop-summary-phone.png"), full_page=True)
    phone.go_back()
    phone.get_by_role("link", name="Choose a focus").click()
    phone.get_by_label("Open conversation").check()
    due = (timezone.localdate() + datetime.timedelta(days=21)).isoformat()
    phone.fill("#id_text_1", "Ask for the strongest argument against before each decision")
    phone.fill("#id_due_1", due)
    phone.fill("#id_text_2", "A monthly retro in which I speak last")
    phone.get_by_role("button", name="Save").click()
    assert phone.get_by_role("status").is_visible()
    phone.screenshot(path=str(SHOTS / "loop-focus-phone.png"), full_page=True)
    phone.get_by_role("button", name="Share with the team").click()
    assert "shared" in phone.inner_text("main")
    phone.screenshot(path=str(SHOTS / "loop-shared-phone.png"), full_page=True)
    focus = Focus.objects.get(team__name="Platform", shared_at__isnull=False)
    assert focus.commitments.count() == 2

    laptop = browser.new_page(viewport={"width": 1280, "height": 900})
    watch(laptop, refused)
    log_in(laptop, live_server.url, nadia.username, nadia.password)
    laptop.goto(f"{live_server.url}/hr/follow-through/?cycle={focus.cycle_id}")
    row = laptop.locator("tr", has_text="Platform").first
    assert "Open conversation" in row.inner_text() and "0 of 2" in row.inner_text()
    laptop.screenshot(path=str(SHOTS / "loop-follow-through-desktop.png"), full_page=True)
    phone.goto(f"{live_server.url}/accounts/logout/")
    assert refused == []
