"""In a real browser, on the demo company: Nadia (HR) opens "Employees and customers" on a
laptop and reads the scatter with its table; Daniel (leads Engineering) opens his dashboard on a
phone and finds the Customers panel, each metric's trend drawn with a table beside it. The
browser refuses nothing on these pages (the Content-Security-Policy holds)."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from teams.demo import existing_demo_logins
from tests.e2e.test_loop_journey import log_in, watch

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path(__file__).parent.parent.parent / "var" / "screenshots"


def test_hr_reads_the_linked_view_and_a_manager_the_customers_panel(
    item_catalogue, live_server, browser, settings
) -> None:
    settings.PULSE_BASE_URL = live_server.url
    call_command("seed_demo", stdout=StringIO())
    logins = {login.person.name: login for login in existing_demo_logins()}
    nadia, daniel = logins["Nadia Petrova"], logins["Daniel Novak"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    refused: list[str] = []

    laptop = browser.new_page(viewport={"width": 1280, "height": 900})
    watch(laptop, refused)
    log_in(laptop, live_server.url, nadia.username, nadia.password)
    laptop.get_by_role("link", name="Employees and customers").click()
    expect(laptop.get_by_role("heading", name="Employees and customers")).to_be_visible()
    verdict = laptop.locator("p.verdict").inner_text()
    assert "units" in verdict or "association" in verdict, verdict
    scatter = laptop.locator("svg.chart.scatter")
    assert scatter.get_attribute("role") == "img"
    # Every dot of the chart is a row of the table beside it: the same units, no others.
    dots = scatter.locator("circle").count()
    rows = laptop.locator("table:has(caption:text('The units in the chart')) tbody tr").count()
    assert dots == rows >= 1
    laptop.screenshot(path=str(SHOTS / "employees-and-customers-desktop.png"), full_page=True)

    phone = browser.new_page(viewport={"width": 390, "height": 844})
    watch(phone, refused)
    log_in(phone, live_server.url, daniel.username, daniel.password)
    phone.get_by_role("link", name="My teams").click()
    expect(phone.get_by_role("heading", name="Customers")).to_be_visible()
    assert "CSAT" in phone.locator("section.customers").inner_text()
    assert phone.locator("table:has(caption:text('CSAT by survey'))").count() == 1
    phone.screenshot(path=str(SHOTS / "customers-panel-phone.png"), full_page=True)
    assert refused == []
