"""On a phone (390 px wide), Daniel's dashboard fits the screen: the domains table and the
teams below do not scroll sideways, and neither does the page."""

import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from teams.demo import existing_demo_logins

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def test_the_dashboard_tables_fit_a_phone(
    item_catalogue, live_server, browser, tmp_path: Path
) -> None:
    call_command("seed_demo", stdout=StringIO())
    daniel = next(login for login in existing_demo_logins() if login.person.name == "Daniel Novak")
    phone = browser.new_page(viewport=PHONE)
    phone.goto(f"{live_server.url}/accounts/login/")
    phone.fill("input[name=login]", daniel.username)
    phone.fill("input[name=password]", daniel.password)
    phone.click("button[type=submit]")
    phone.wait_for_url(f"{live_server.url}/dashboard/")
    assert phone.locator("table.domains").count() >= 2  # the domains, and the teams below
    widths = phone.evaluate(
        "() => ({page: document.documentElement.scrollWidth,"
        " tables: [...document.querySelectorAll('table.domains')].map(t => t.scrollWidth)})"
    )
    phone.screenshot(path=str(tmp_path / "dashboard-phone.png"), full_page=True)
    if shots := os.environ.get("PULSE_SCREENSHOTS"):
        phone.screenshot(path=str(Path(shots) / "dashboard-phone.png"), full_page=True)
        for number, table in enumerate(phone.locator("table.domains").all()):
            table.screenshot(path=str(Path(shots) / f"table-{number}-phone.png"))
    assert widths["page"] <= PHONE["width"], widths
    assert all(width <= PHONE["width"] for width in widths["tables"]), widths
