"""In a real browser, HR's Monday. Ada (HR) uploads a changed org file with one bad line, sees
the problem with its line, uploads the fixed file, reads the preview and applies it; creates a
quarterly cadence in her words; launches its survey after the page that says how many people
get an email; watches the cycles page count the emails as the sender sends them, one address
refused; and invites Linus, the new manager. Linus sets a password from Pulse's own email and
lands signed in on his dashboard. Niklaus, new too, answers the survey from his emailed link.
The browser refuses nothing on the pages (the Content-Security-Policy holds), and nothing on
them is wider than the screen, on a phone or a desktop.

Set PULSE_SCREENSHOTS to a folder to keep a screenshot of each step."""

import os
import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from surveys.models import Cadence, Cycle
from surveys.scheduler import run_tick
from surveys.send_claims import claim_batch
from surveys.sending import send_batch
from teams.accounts import ensure_login
from teams.models import Person
from teams.org_csv import parse_csv
from teams.services import import_org
from tests.anonymity.conftest import emailed_links
from tests.support import refusing_email
from tests.teams.test_org_import import GOOD
from tests.teams.test_org_import_page import CHANGED, ONE_BAD_LINE

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-test-password"
LINUS_PASSWORD = "linus-new-password-9"
SCREENSHOTS = os.environ.get("PULSE_SCREENSHOTS", "")
PHONE = {"width": 390, "height": 844}


def delivery_row(page) -> dict[str, str]:
    """The cycles page's row of the only cycle, by column heading: what HR reads there."""
    headings = page.locator("table.cycles thead th").all_inner_texts()
    cells = page.locator("table.cycles tbody tr").first.locator("th, td").all_inner_texts()
    return {heading.strip(): cell.strip() for heading, cell in zip(headings, cells, strict=True)}


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 900}])
def test_hrs_monday_from_the_org_file_to_the_first_answer(
    item_catalogue, live_server, browser, settings, tmp_path, viewport
) -> None:
    settings.PULSE_BASE_URL = live_server.url
    settings.EMAIL_BACKEND = "tests.support.refusing_email.RefusingLocmemBackend"
    settings.PULSE_EMAIL_BATCH_SIZE = 3
    refusing_email.GONE.clear()
    refusing_email.GONE.add("margaret@example.com")  # her mailbox was closed
    import_org(rows=parse_csv(GOOD.encode()))
    ensure_login(email="ada@example.com", password=PASSWORD, hr=True)
    refused: list[str] = []
    wide: list[str] = []

    def open_page(size: dict[str, int] = viewport):
        page = browser.new_page(viewport=size)
        page.on(
            "console",
            lambda message: (
                refused.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        return page

    def look(page, name: str) -> None:
        """Keep a screenshot if asked, and note a page that scrolls sideways."""
        width = page.viewport_size["width"]
        if SCREENSHOTS:
            Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{SCREENSHOTS}/{name}-{width}.png", full_page=True)
        if page.evaluate("document.documentElement.scrollWidth") > width:
            wide.append(name)

    # Ada logs in and uploads the changed org file, one address mistyped.
    ada = open_page()
    ada.goto(f"{live_server.url}/accounts/login/?next=/hr/org/import/")
    ada.fill("#id_login", "ada@example.com")
    ada.fill("#id_password", PASSWORD)
    ada.click("form button[type=submit]")
    ada.wait_for_url("**/hr/org/import/")

    bad, fixed = tmp_path / "bad.csv", tmp_path / "people.csv"
    bad.write_text(ONE_BAD_LINE)
    fixed.write_text(CHANGED)
    ada.set_input_files("#org-file", str(bad))
    ada.click("text=Preview the changes")
    expect(ada.locator("main")).to_contain_text("cannot be imported")
    problems = ada.locator("table").inner_text()
    assert "cannot be imported" in ada.inner_text("main")
    assert re.search(r"^6\s+email\s+.*is not a valid email address", problems, re.M), problems
    look(ada, "org-import-error")

    ada.set_input_files("#org-file", str(fixed))
    ada.click("text=Preview the changes")
    ada.wait_for_selector("#preview-heading")
    assert "Grace Hopper → Linus Torvalds" in ada.inner_text("main")
    look(ada, "org-import-preview")
    assert not Person.objects.filter(employee_id="N5").exists()
    ada.click("text=Apply these changes")
    ada.wait_for_selector("text=The org chart was updated.")
    assert Person.objects.filter(employee_id="N5").exists()

    # A quarterly cadence, in her words: the defaults of a full set, her time zone.
    ada.click("nav >> text=Cadences")
    ada.click("text=New quarterly full set")
    assert ada.input_value("#id_window_days") == "14"
    assert ada.input_value("#id_reminder_days") == "5, 10"
    look(ada, "cadence-new")
    ada.fill("#id_name", "Quarterly full set")
    ada.select_option("#id_time_zone", "Europe/Berlin")
    ada.click("text=Create cadence")
    ada.wait_for_selector("text=Saved.")
    look(ada, "cadence-saved")
    cadence = Cadence.objects.get(name="Quarterly full set")
    assert (cadence.window_days, cadence.reminder_offsets, cadence.time_zone) == (
        14,
        [5, 10],
        "Europe/Berlin",
    )

    # She launches it now: the page says first who will be emailed, and nothing is sent yet.
    ada.click("nav >> text=Cycles")
    ada.click("text=Launch Quarterly full set now…")
    assert "5 people will get an email now" in ada.inner_text("main")
    look(ada, "cycle-launch")
    assert not Cycle.objects.exists()
    ada.click("text=Launch and email 5 people")
    ada.wait_for_url("**/hr/cycles/?launched=*")
    assert "the emails to its 5 people go out within a minute or two" in ada.inner_text("main")
    assert delivery_row(ada) | {"Status": "Open"} == delivery_row(ada)
    assert [delivery_row(ada)[column] for column in ("Invited", "Sent", "Failed")] == [
        "5",
        "0",
        "0",
    ]
    look(ada, "delivery-launched")

    # The sender's first batch of three goes out, then the scheduler's pass sends the rest.
    cycle = Cycle.objects.get()
    batch = claim_batch(cycle_id=cycle.pk)
    assert batch is not None
    send_batch(batch=batch)
    ada.reload()
    row = delivery_row(ada)
    assert int(row["Sent"]) + int(row["Failed"]) == 3, row
    run_tick()
    ada.reload()
    assert [delivery_row(ada)[column] for column in ("Invited", "Sent", "Failed")] == [
        "5",
        "4",
        "1",
    ]
    look(ada, "delivery-sent")

    # Linus leads Margaret now: Ada invites him to log in, from the people list.
    ada.goto(f"{live_server.url}/admin/teams/person/?q=Linus")
    ada.locator("tr", has_text="Linus Torvalds").locator("input.action-select").check()
    ada.select_option("select[name=action]", "invite_to_log_in")
    ada.click("button[name=index]")
    expect(ada.locator("body")).to_contain_text(
        "Sent 1 invitation(s) to set a password and log in."
    )
    (invitation,) = [m for m in mail.outbox if "set your password" in m.subject]
    assert invitation.to == ["linus.t@example.com"]
    assert invitation.subject == "Ada Lovelace invited you to Pulse: set your password"
    assert "Hi Linus" in str(invitation.body)
    link = re.search(r"http://\S+/accounts/password/reset/key/\S+", str(invitation.body))
    assert link is not None, invitation.body

    linus = open_page()
    linus.goto(link.group(0))
    expect(linus.get_by_role("heading", name="Set your password")).to_be_visible()
    look(linus, "set-password")
    linus.fill("input[name=password1]", LINUS_PASSWORD)
    linus.fill("input[name=password2]", LINUS_PASSWORD)
    linus.locator("form button[type=submit]").click()
    linus.wait_for_url(f"{live_server.url}/dashboard/")
    look(linus, "manager-dashboard-first")
    assert "Log out" in linus.inner_text("header")
    expect(linus.get_by_role("heading", name="No results to show yet")).to_be_visible()
    assert "Your password is set." in linus.inner_text("main")

    # Niklaus answers on his phone, from the link in his email.
    niklaus = open_page(PHONE)
    niklaus.goto(f"{live_server.url}/a/{emailed_links()['niklaus@example.com']}/")
    for fieldset in niklaus.locator("fieldset.question").all()[:-1]:
        fieldset.locator("label.choice").nth(5).click()
    niklaus.locator(".scale.enps label.choice").nth(8).click()
    niklaus.get_by_role("button", name="Send my answers").click()
    expect(niklaus.get_by_role("heading", name="Thank you")).to_be_visible()

    assert wide == []
    assert refused == []
