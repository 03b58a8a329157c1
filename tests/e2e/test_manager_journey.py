"""End to end in a real browser (Debian's chromium driven by Playwright): engineers open their
emailed links and answer, the cycle closes, and Grace logs in to see her team's scores."""

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from pulse.scheduler import run_pulse_tick
from surveys.closing import close_cycle
from surveys.launch import launch_now
from surveys.models import Cadence
from surveys.scheduler import run_tick
from teams.models import Person
from teams.team_tree import sync_teams
from tests.anonymity.conftest import emailed_links

pytestmark = pytest.mark.django_db(transaction=True)


def test_answer_by_link_then_the_manager_sees_the_released_scores(
    item_catalogue, live_server, browser, settings, tmp_path: Path
) -> None:
    settings.PULSE_BASE_URL = live_server.url
    ada = Person.objects.create(employee_id="ada", email="ada@example.com", name="Ada Lovelace")
    grace = Person.objects.create(
        employee_id="grace", email="grace@example.com", name="Grace Hopper", manager=ada
    )
    engineers = [
        Person.objects.create(
            employee_id=f"e{i}",
            email=f"engineer{i}@example.com",
            name=f"Engineer {i}",
            manager=grace,
        )
        for i in range(6)
    ]
    for i in range(4):  # the company's own group is at least k too, so Platform stays a unit
        Person.objects.create(
            employee_id=f"s{i}", email=f"staff{i}@example.com", name=f"Staff {i}", manager=ada
        )
    sync_teams(team_names={"ada": "Company", "grace": "Platform"})
    grace.user = User.objects.create_user(
        "grace@example.com", "grace@example.com", "a-long-demo-password"
    )
    grace.save()
    cycle = launch_now(
        cadence=Cadence.objects.create(name="Monthly pulse", kind="monthly"), now=timezone.now()
    )
    run_tick()
    links = emailed_links()
    assert len(mail.outbox) == 12

    phone = browser.new_page(viewport={"width": 390, "height": 844})
    for number, engineer in enumerate(engineers[:5]):
        phone.goto(f"{live_server.url}/a/{links[engineer.email]}/")
        for fieldset in phone.locator("fieldset.question").all()[:-1]:
            fieldset.locator("label.choice").nth(5 - number % 3).click()  # answers 6, 5, 4
        phone.locator(".scale.enps label.choice").nth(9).click()
        if number == 0:
            phone.screenshot(path=str(tmp_path / "answer-page.png"), full_page=True)
        phone.get_by_role("button", name="Send my answers").click()
        expect(phone.get_by_role("heading", name="Thank you")).to_be_visible()
    phone.goto(f"{live_server.url}/a/{links[engineers[0].email]}/")
    expect(
        phone.get_by_role("heading", name="This survey has already been answered")
    ).to_be_visible()

    close_cycle(cycle_id=cycle.pk)
    assert run_pulse_tick().released == [cycle.pk]

    laptop = browser.new_page(viewport={"width": 1280, "height": 900})
    laptop.goto(f"{live_server.url}/accounts/login/")
    laptop.fill("input[name=login]", "grace@example.com")
    laptop.fill("input[name=password]", "a-long-demo-password")
    laptop.locator("form button[type=submit]").first.click()
    laptop.wait_for_url(f"{live_server.url}/dashboard/")
    expect(laptop.get_by_role("heading", name="Platform", exact=True)).to_be_visible()
    assert "5 / 6" in laptop.inner_text("main")
    domains = laptop.locator("table.domains").first.inner_text()
    assert "Open conversation" in domains and "Inclusivity" in domains
    laptop.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
    print(f"screenshots in {tmp_path}")
