"""End to end in a real browser, on a phone: the employee's edge cases on the answer page.

Priya sends the form without answering and is asked whether she means it; she goes back and
answers one question. Omar sends it empty anyway and is told nothing was recorded. Wen clicks
her link after the survey closed and reads when it closed."""

import re
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from pulse.models import PendingBallot
from surveys.closing import close_cycle
from surveys.launch import launch_now
from surveys.models import Cadence, Cycle, Invitation
from surveys.scheduler import run_tick
from teams.models import Person
from teams.team_tree import sync_teams

pytestmark = pytest.mark.django_db(transaction=True)

LINK = re.compile(r"https?://\S+/a/\S+/")


def emailed_urls() -> dict[str, str]:
    return {
        message.to[0]: found.group(0)
        for message in mail.outbox
        for found in [LINK.search(str(message.body))]
        if found
    }


def test_an_empty_form_asks_first_and_a_late_link_says_when_the_survey_closed(
    item_catalogue, live_server, browser, settings, tmp_path: Path
) -> None:
    settings.PULSE_BASE_URL = live_server.url
    lead = Person.objects.create(employee_id="lead", email="lead@example.com", name="Lead")
    people = [
        Person.objects.create(
            employee_id=f"p{i}", email=f"person{i}@example.com", name=f"Person {i}", manager=lead
        )
        for i in range(6)
    ]
    sync_teams(team_names={"lead": "Team"})
    cycle = launch_now(
        cadence=Cadence.objects.create(name="Quarterly survey", kind="quarterly"),
        now=timezone.now(),
    )
    run_tick()
    urls = emailed_urls()
    questions = cycle.items.count() + 1  # and eNPS
    phone = browser.new_page(viewport={"width": 390, "height": 844})

    # Priya: "send" with nothing answered, asked, back to the questions, answers one.
    phone.goto(urls[people[0].email])
    main = phone.locator("main")
    assert f"{questions} questions, about 3 minutes" in main.inner_text()
    expect(phone.get_by_text(f"Question 3 of {questions}", exact=True)).to_be_visible()
    progress = phone.locator("#answer-progress-text")
    assert progress.inner_text() == f"0 of {questions} answered"
    phone.get_by_role("button", name="Send my answers").click()
    asked = phone.get_by_role("heading", name="You have not answered anything. Send anyway?")
    expect(asked).to_be_visible()
    phone.screenshot(path=str(tmp_path / "asked.png"), full_page=False)
    assert not PendingBallot.objects.exists()
    phone.get_by_role("link", name="Back to the questions").click()
    phone.locator("fieldset.question").nth(2).locator("label.choice").nth(5).click()
    assert progress.inner_text() == f"1 of {questions} answered"
    phone.screenshot(path=str(tmp_path / "progress.png"), full_page=False)
    phone.get_by_role("button", name="Send my answers").click()
    expect(phone.get_by_role("heading", name="Thank you")).to_be_visible()
    assert PendingBallot.objects.count() == 1

    # Omar: sends it empty anyway; nothing is recorded and his link still works.
    phone.goto(urls[people[1].email])
    phone.get_by_role("button", name="Send my answers").click()
    phone.get_by_role("button", name="Send anyway").click()
    expect(phone.get_by_role("heading", name="Nothing was recorded")).to_be_visible()
    assert "still works until the survey closes" in phone.locator("main").inner_text()
    assert PendingBallot.objects.count() == 1
    assert Invitation.objects.filter(answered=True).count() == 1
    phone.goto(urls[people[1].email])
    expect(phone.get_by_role("button", name="Send my answers")).to_be_visible()

    # Wen: clicks her link after the survey closed.
    close_cycle(cycle_id=cycle.pk)
    closed_at = timezone.localtime(Cycle.objects.get(pk=cycle.pk).closed_at)
    phone.goto(urls[people[2].email])
    expect(phone.get_by_role("heading", name="This survey has closed")).to_be_visible()
    text = phone.locator("main").inner_text()
    assert f"It closed on {closed_at.strftime('%A %-d %B %Y')}" in text
    assert "shared with the team's managers" in text
    phone.screenshot(path=str(tmp_path / "closed.png"), full_page=True)
    print(f"screenshots in {tmp_path}")
