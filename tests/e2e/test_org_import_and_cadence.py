"""In a real browser, HR's Monday: Hannah uploads a changed org file with one bad line, sees
the problem, uploads the fixed file, reads the preview, applies it; then creates a quarterly
cadence in her words. The browser refuses nothing on the pages, on a phone or a desktop.

Set PULSE_SCREENSHOTS to a folder to keep a screenshot of each step."""

import os
from pathlib import Path

import pytest

from surveys.models import Cadence
from teams.accounts import ensure_login
from teams.models import Person
from teams.org_csv import parse_csv
from teams.services import import_org
from tests.teams.test_org_import import GOOD
from tests.teams.test_org_import_page import CHANGED, ONE_BAD_LINE

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-test-password"
SCREENSHOTS = os.environ.get("PULSE_SCREENSHOTS", "")


@pytest.mark.parametrize(
    "viewport", [{"width": 390, "height": 844}, {"width": 1280, "height": 900}]
)
def test_hr_imports_a_changed_org_and_creates_a_quarterly_cadence(
    live_server, browser, tmp_path, viewport
) -> None:
    import_org(rows=parse_csv(GOOD.encode()))
    ensure_login(email="ada@example.com", password=PASSWORD, hr=True)
    page = browser.new_page(viewport=viewport)
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    def shot(name: str) -> None:
        if SCREENSHOTS:
            Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{SCREENSHOTS}/{name}-{viewport['width']}.png", full_page=True)

    page.goto(f"{live_server.url}/accounts/login/?next=/hr/org/import/")
    page.fill("#id_login", "ada@example.com")
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url("**/hr/org/import/")

    bad, fixed = tmp_path / "bad.csv", tmp_path / "people.csv"
    bad.write_text(ONE_BAD_LINE)
    fixed.write_text(CHANGED)
    page.set_input_files("#org-file", str(bad))
    page.click("text=Preview the changes")
    assert "is not a valid email address" in page.locator("table").inner_text()
    shot("org-import-error")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    page.set_input_files("#org-file", str(fixed))
    page.click("text=Preview the changes")
    page.wait_for_selector("#preview-heading")
    assert "Grace Hopper → Linus Torvalds" in page.inner_text("main")
    shot("org-import-preview")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert Person.objects.filter(employee_id="N5").count() == 0
    page.click("text=Apply these changes")
    page.wait_for_selector("text=The org chart was updated.")
    assert Person.objects.filter(employee_id="N5").count() == 1

    page.click("nav >> text=Cadences")
    page.click("text=New quarterly full set")
    assert page.input_value("#id_window_days") == "14"
    assert page.input_value("#id_reminder_days") == "5, 10"
    shot("cadence-new")
    page.fill("#id_name", "Quarterly full set")
    page.select_option("#id_time_zone", "Europe/Berlin")
    page.click("text=Create cadence")
    page.wait_for_selector("text=Saved.")
    shot("cadence-saved")
    cadence = Cadence.objects.get(name="Quarterly full set")
    assert (cadence.window_days, cadence.reminder_offsets, cadence.time_zone) == (
        14,
        [5, 10],
        "Europe/Berlin",
    )
    # Nothing on the pages is wider than a phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert refused == []
