"""HR sets up cadences on the cadence pages, in HR's words: weekday names, a time-zone list,
reminder days as "5, 10". Hannah is HR; Grace is a manager. It is 1 December 2026."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client

from surveys.models import Cadence
from surveys.services import create_cadence
from teams.models import AuditAction, AuditEvent
from teams.roles import ensure_hr_group
from tests.surveys.conftest import team_of
from tests.test_csp import refusals

pytestmark = pytest.mark.django_db

DECEMBER_1 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def hannah() -> Client:
    user = User.objects.create_user("hannah", "hannah@example.com", "pw")
    user.groups.add(ensure_hr_group())
    client = Client()
    client.force_login(user)
    return client


def form_values(page: str) -> dict[str, str]:
    """What a browser would send for the form as the page shows it: inputs' values, the selected
    option of each select, the checked radio and boxes."""
    values: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or name.group(1) == "csrfmiddlewaretoken":
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if kind and kind.group(1) in ("radio", "checkbox"):
            if " checked" in tag:
                values[name.group(1)] = value.group(1) if value else "on"
        else:
            values[name.group(1)] = value.group(1) if value else ""
    for name, options in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        selected = re.search(r'<option value="([^"]*)"[^>]*selected', options)
        values[name] = selected.group(1) if selected else ""
    return values


def errors_of(page: str) -> list[tuple[str, str]]:
    return re.findall(r'<p class="form-error" id="id_(\w+)-error">([^<]*)</p>', page)


def test_a_new_quarterly_cadence_starts_with_two_weeks_and_reminders_on_days_5_and_10(
    hannah,
) -> None:
    page = hannah.get("/hr/cadences/new/?kind=quarterly").content.decode()
    values = form_values(page)
    assert (values["kind"], values["window_days"], values["reminder_days"]) == (
        "quarterly",
        "14",
        "5, 10",
    )
    assert values["population"] == "everyone"
    response = hannah.post(
        "/hr/cadences/new/?kind=quarterly",
        {**values, "name": "Quarterly full set", "weekday": "1", "time_zone": "Europe/Berlin"},
    )
    assert response.status_code == 302, errors_of(response.content.decode())
    cadence = Cadence.objects.get(name="Quarterly full set")
    assert (cadence.kind, cadence.window_days, cadence.reminder_offsets) == (
        "quarterly",
        14,
        [5, 10],
    )
    assert (cadence.weekday, cadence.week_of_month, cadence.send_hour) == (1, 1, 9)
    assert cadence.time_zone == "Europe/Berlin"
    assert cadence.population_team is None and not cadence.population_is_team
    assert "Saved." in hannah.get(response["Location"]).content.decode()
    # The audit log names who created it, not the command line.
    assert AuditEvent.objects.filter(
        action=AuditAction.CADENCE_CREATED, actor__username="hannah"
    ).exists()


def test_the_page_speaks_weekdays_and_time_zones_and_explains_k(hannah) -> None:
    page = hannah.get("/hr/cadences/new/").content.decode()
    assert '<option value="0" selected>Monday</option>' in page
    assert '<optgroup label="America">' in page
    assert '<option value="America/New_York">New York</option>' in page
    assert "Results are shown only for groups of at least k people who answered." in page
    assert "Threshold changes apply from the next cycle" in page


@time_machine.travel(DECEMBER_1, tick=False)
def test_the_preview_shows_the_next_three_openings_in_the_cadences_time_zone(hannah) -> None:
    values = form_values(hannah.get("/hr/cadences/new/?kind=quarterly").content.decode())
    response = hannah.post(
        "/hr/cadences/new/?kind=quarterly",
        {**values, "name": "Q", "time_zone": "America/New_York", "preview": "1"},
    )
    page = response.content.decode()
    openings = re.findall(r"<li><strong>([^<]+)</strong> \((\d{4}-Q\d)\)", page)
    # First Mondays of the quarters, at 09:00 in New York (14:00 UTC in winter, 13:00 in summer).
    assert openings == [
        ("Monday 4 January 2027, 09:00", "2027-Q1"),
        ("Monday 5 April 2027, 09:00", "2027-Q2"),
        ("Monday 5 July 2027, 09:00", "2027-Q3"),
    ]
    assert "Times in America/New_York" in page
    assert not Cadence.objects.exists()  # a preview saves nothing


@time_machine.travel(DECEMBER_1, tick=False)
def test_a_period_already_past_says_what_will_happen_instead_of_a_past_opening_date(
    hannah,
) -> None:
    cadence = create_cadence(
        name="Quarterly", kind="quarterly", window_days=14, schedule_kind="nth_weekday"
    )
    page = hannah.get(f"/hr/cadences/{cadence.pk}/").content.decode()
    assert (
        "This period's survey (2026-Q4) was due on Monday 5 October 2026, 09:00 and its window "
        "has passed; nothing launches for it by itself. Launch now to survey this period anyway, "
        "or wait: the next survey opens on Monday 4 January 2027, 09:00 (2027-Q1)."
    ) in page.replace("&#x27;", "'")
    listing = hannah.get("/hr/cadences/").content.decode()
    assert "the next survey opens on Monday 4 January 2027, 09:00" in listing


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"reminder_days": "5, 20"}, "reminder_days", "would go out after the survey closes"),
        ({"reminder_days": "five, ten"}, "reminder_days", "separated by commas"),
        ({"k": "2"}, "k", "must be at least 3"),
        ({"k_comment": "4"}, "k_comment", "must be at least k"),
        ({"window_days": "120"}, "window_days", "Use at most 89 days"),
        ({"window_days": "two weeks"}, "window_days", "whole number"),
    ],
)
def test_a_bad_field_gets_one_error_next_to_it_and_nothing_is_saved(
    hannah, change, field, message
) -> None:
    values = form_values(hannah.get("/hr/cadences/new/?kind=quarterly").content.decode())
    response = hannah.post("/hr/cadences/new/", {**values, "name": "Q", **change})
    assert response.status_code == 400
    page = response.content.decode()
    errors = errors_of(page)
    assert len(errors) == 1, errors
    assert errors[0][0] == field and message in errors[0][1]
    assert page.count(errors[0][1]) == 1
    assert "1 field below needs a change; nothing was saved." in page
    assert not Cadence.objects.exists()


def test_editing_a_threshold_saves_it_for_the_next_cycle(hannah) -> None:
    cadence = create_cadence(name="Monthly", kind="monthly")
    values = form_values(hannah.get(f"/hr/cadences/{cadence.pk}/").content.decode())
    assert (values["window_days"], values["reminder_days"], values["k"]) == ("7", "3, 5", "5")
    response = hannah.post(f"/hr/cadences/{cadence.pk}/", {**values, "k": "6"})
    assert response.status_code == 302
    cadence.refresh_from_db()
    assert (cadence.k, cadence.window_days, cadence.reminder_offsets) == (6, 7, [3, 5])


def test_a_cadence_whose_team_is_gone_does_not_quietly_survey_everyone(hannah, org) -> None:
    platform = team_of(org.grace)
    cadence = create_cadence(name="Platform", kind="monthly", population_team=platform)
    platform.delete()
    page = hannah.get(f"/hr/cadences/{cadence.pk}/").content.decode()
    values = form_values(page)
    assert values["population"] == ""
    response = hannah.post(f"/hr/cadences/{cadence.pk}/", values)
    assert response.status_code == 400
    assert errors_of(response.content.decode())[0][0] == "population"


def test_people_who_are_not_hr_get_no_cadence_pages(db) -> None:
    cadence = create_cadence(name="Monthly", kind="monthly")
    client = Client()
    client.force_login(User.objects.create_user("grace", "grace@example.com", "pw"))
    for path in ("/hr/cadences/", "/hr/cadences/new/", f"/hr/cadences/{cadence.pk}/"):
        assert client.get(path).status_code == 404


def test_the_form_with_errors_and_the_preview_need_no_inline_code(hannah) -> None:
    values = form_values(hannah.get("/hr/cadences/new/").content.decode())
    for extra in ({"k": "2"}, {"preview": "1"}):
        response = hannah.post("/hr/cadences/new/", {**values, "name": "M", **extra})
        assert "default-src 'self'" in response["Content-Security-Policy"]
        assert refusals(response.content.decode()) == []
