"""In a real browser, on the demo company: Nadia (HR) opens "Employees and customers" on a
laptop (and then at a phone's width) and reads the scatter with its table; Daniel (leads Engineering) opens his dashboard on a
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
    units = int(laptop.locator("dl.figures dd").first.inner_text())
    # The demo's customer-facing teams fill the chart; the verdict counts the same units.
    assert units >= 12 and f"{units} units" in verdict, verdict
    scatter = laptop.locator("svg.chart.scatter")
    assert scatter.get_attribute("role") == "img"
    # Every dot of the chart is a row of the table beside it: the same units, no others.
    dot_names = scatter.locator("circle title").evaluate_all("all => all.map(t => t.textContent)")
    table = laptop.locator("table:has(caption:text('The units in the chart'))")
    row_names = table.locator("tbody th").all_inner_texts()
    assert sorted(dot_names) == sorted(row_names) and len(row_names) == units
    assert "Support Europe North" in row_names and "Marketing" not in row_names  # hidden
    # Every row of the domain table says how many units it rests on.
    tracking = laptop.locator("section:has(h2:text('Which domain tracks each metric')) tbody tr")
    assert tracking.count() == 4
    for row in tracking.all():
        assert int(row.locator("td").nth(1).inner_text()) >= 1
    laptop.screenshot(path=str(SHOTS / "employees-and-customers-desktop.png"), full_page=True)
    laptop.set_viewport_size({"width": 390, "height": 844})
    assert laptop.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    laptop.screenshot(path=str(SHOTS / "employees-and-customers-phone.png"), full_page=True)

    phone = browser.new_page(viewport={"width": 390, "height": 844})
    watch(phone, refused)
    log_in(phone, live_server.url, daniel.username, daniel.password)
    phone.get_by_role("link", name="My teams").click()
    expect(phone.get_by_role("heading", name="Customers")).to_be_visible()
    panel = phone.locator("section.customers")
    # Each metric for the survey's period and the period after, both imported in the demo.
    periods = panel.locator("table").first.locator("thead th").all_inner_texts()[1:]
    assert len(periods) == 2 and periods[0] < periods[1]
    csat = panel.locator("tbody tr:has(th:text('CSAT'))").first.locator("td").all_inner_texts()
    assert len(csat) == 2 and "not imported" not in " ".join(csat), csat
    # The metric's trend is drawn under the index trend, on the same surveys.
    index_surveys = phone.locator("table:has(caption:text('Index by survey')) tbody th")
    csat_surveys = phone.locator("table:has(caption:text('CSAT by survey')) tbody th")
    assert csat_surveys.all_inner_texts() == index_surveys.all_inner_texts()
    assert len(index_surveys.all_inner_texts()) == 2  # both demo releases
    index_box = phone.locator("svg[aria-labelledby='index-trend-title']").bounding_box()
    csat_box = panel.locator("svg").first.bounding_box()
    assert index_box and csat_box and csat_box["y"] > index_box["y"]
    phone.screenshot(path=str(SHOTS / "customers-panel-phone.png"), full_page=True)
    assert refused == []
