"""Harriet in HR launches and closes surveys from the cycles page. Each asks first, saying what
will happen; only the button (a POST with its CSRF token) acts, never a link. The delivery
figures agree on her page, in the admin and in the API, while open and after close."""

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.utils import timezone

from surveys.launch import launch_now
from surveys.models import Cadence, Cycle, CycleState, Invitation
from surveys.scheduler import run_tick
from teams.roles import ensure_hr_group
from tests.anonymity.conftest import Survey, company, emailed_links, form_answers

__all__ = ["company"]
pytestmark = pytest.mark.django_db


@pytest.fixture
def harriet(db) -> User:
    user = User.objects.create_user("harriet@example.com", "harriet@example.com", "x")
    user.groups.add(ensure_hr_group())
    return user


def as_user(user: User, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def monthly(company) -> Cadence:
    return Cadence.objects.create(name="Monthly pulse", kind="monthly")


def test_launch_asks_first_and_says_how_many_people_will_get_an_email(
    harriet, monthly, company
) -> None:
    everyone = sum(len(people) for people in company.values() if people is not company["grace"])
    client = as_user(harriet)

    question = client.get(f"/hr/cycles/launch/{monthly.pk}/")

    assert question.status_code == 200
    assert f"{everyone} people will get an email now" in text_of(question)
    assert not Cycle.objects.exists()
    done = client.post(f"/hr/cycles/launch/{monthly.pk}/")
    cycle = Cycle.objects.get()
    assert done.status_code == 302
    assert done["Location"] == f"/hr/cycles/?launched={cycle.pk}"
    assert (cycle.state, cycle.invited_count) == (CycleState.OPEN, everyone)
    assert f"the emails to its {everyone} people go out" in text_of(client.get(done["Location"]))


def test_a_get_never_launches_or_closes_anything(harriet, monthly) -> None:
    client = as_user(harriet)
    for _ in range(3):
        client.get(f"/hr/cycles/launch/{monthly.pk}/")
    assert not Cycle.objects.exists()

    cycle = launch_now(cadence=monthly, now=timezone.now())
    for _ in range(3):
        client.get(f"/hr/cycles/{cycle.pk}/close/")
    cycle.refresh_from_db()
    assert cycle.state == CycleState.OPEN


def test_a_post_without_the_forms_csrf_token_does_nothing(harriet, monthly) -> None:
    client = as_user(harriet, csrf=True)
    assert client.post(f"/hr/cycles/launch/{monthly.pk}/").status_code == 403
    cycle = launch_now(cadence=monthly, now=timezone.now())
    assert client.post(f"/hr/cycles/{cycle.pk}/close/").status_code == 403
    assert not Cycle.objects.exclude(pk=cycle.pk).exists()
    cycle.refresh_from_db()
    assert cycle.state == CycleState.OPEN


def test_a_second_launch_in_the_same_period_is_refused_with_the_reason_and_no_button(
    harriet, monthly
) -> None:
    cycle = launch_now(cadence=monthly, now=timezone.now())
    client = as_user(harriet)

    question = client.get(f"/hr/cycles/launch/{monthly.pk}/")
    refused = client.post(f"/hr/cycles/launch/{monthly.pk}/")

    assert f"Monthly pulse already has a cycle for {cycle.period}." in text_of(question)
    assert "<button" not in question.content.decode().split("<main", 1)[1]
    assert refused.status_code == 409
    assert Cycle.objects.count() == 1


def test_closing_asks_first_and_shows_participation_only_in_the_coarse_bands(
    harriet, monthly, company
) -> None:
    cycle = launch_now(cadence=monthly, now=timezone.now())
    run_tick()
    survey = Survey(cycle=cycle, links=emailed_links())
    answering = Client()
    # 13 of Platform's 30 answer: the page may say "25 to 50%", never "13".
    for engineer in company["platform"][:13]:
        answering.post(f"/a/{survey.token(engineer.email)}/", form_answers(survey, [6, 5, 6, 5]))
    client = as_user(harriet)

    question = text_of(client.get(f"/hr/cycles/{cycle.pk}/close/"))

    assert "Closing now ends the survey for everyone" in question
    assert f"{cycle.invited_count} people were invited" in question
    assert "Platform (30 people): 25 to 50%" in question
    # Times and dates on the page (a close at 17:13, on the 13th) are not a count.
    counts_only = re.sub(
        r"\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}|\b\d{1,2} [A-Z][a-z]+ \d{4}\b", "", question
    )
    assert not re.search(r"\b13\b", counts_only)
    cycle.refresh_from_db()
    assert cycle.state == CycleState.OPEN

    done = client.post(f"/hr/cycles/{cycle.pk}/close/")

    assert done["Location"] == f"/hr/cycles/?closed={cycle.pk}"
    cycle.refresh_from_db()
    assert cycle.state == CycleState.CLOSED
    assert "is already closed" in text_of(client.get(f"/hr/cycles/{cycle.pk}/close/"))


def delivery_on_each_page(client: Client, cycle: Cycle) -> dict[str, tuple[int, int, int]]:
    page = client.get("/hr/cycles/")
    row = next(row for row in page.context["rows"] if row.cycle.pk == cycle.pk)
    admin = client.get("/admin/surveys/cycle/")
    admin_row = next(c for c in admin.context["cl"].result_list if c.pk == cycle.pk)
    model_admin = admin.context["cl"].model_admin
    api = client.get(f"/api/v1/cycles/{cycle.pk}/").json()
    return {
        "cycles page": (row.delivery.invited, row.delivery.sent, row.delivery.failed),
        "admin": (
            admin_row.invited_count,
            model_admin.delivered(admin_row),
            model_admin.delivery_failures(admin_row),
        ),
        "api": (api["invited_count"], api["delivered_count"], api["delivery_failures"]),
    }


def test_the_delivery_figures_agree_on_every_page_while_open_and_after_close(
    harriet, monthly, company
) -> None:
    harriet.is_staff = True
    harriet.save()
    cycle = launch_now(cadence=monthly, now=timezone.now())
    Invitation.objects.filter(cycle=cycle, person=company["design"][0]).update(
        delivery_failed=True, delivery_error="Recipient refused (550)"
    )
    run_tick()
    sent = len(mail.outbox)
    client = as_user(harriet)
    expected = (cycle.invited_count, sent, 1)

    while_open = delivery_on_each_page(client, cycle)
    client.post(f"/hr/cycles/{cycle.pk}/close/")
    after_close = delivery_on_each_page(client, cycle)

    assert sent == cycle.invited_count - 1
    assert while_open == {"cycles page": expected, "admin": expected, "api": expected}
    assert after_close == while_open
    assert "\N{EN DASH}" not in text_of(client.get("/hr/cycles/")).split("Launch a survey now")[0]


def test_the_admin_sends_launch_and_close_to_the_confirmation_pages(harriet, monthly) -> None:
    harriet.is_staff = True
    harriet.save()
    client = as_user(harriet)

    launch = client.post(
        "/admin/surveys/cadence/", {"action": "launch_now", "_selected_action": [monthly.pk]}
    )

    assert launch["Location"] == f"/hr/cycles/launch/{monthly.pk}/"
    assert not Cycle.objects.exists()
    cycle = launch_now(cadence=monthly, now=timezone.now())
    close = client.post(
        "/admin/surveys/cycle/", {"action": "close_now", "_selected_action": [cycle.pk]}
    )
    assert close["Location"] == f"/hr/cycles/{cycle.pk}/close/"
    cycle.refresh_from_db()
    assert cycle.state == CycleState.OPEN


def test_nobody_can_delete_a_cycle_that_has_launched_in_the_admin(harriet, monthly) -> None:
    root = User.objects.create_superuser("root", "root@example.com", "x")
    open_cycle = launch_now(cadence=monthly, now=timezone.now())
    closed = Cycle.objects.get(pk=open_cycle.pk)
    client = as_user(root)
    client.post(f"/hr/cycles/{closed.pk}/close/")  # a superuser is HR too

    page = client.get(f"/admin/surveys/cycle/{closed.pk}/change/")
    delete_page = client.get(f"/admin/surveys/cycle/{closed.pk}/delete/")
    delete_post = client.post(f"/admin/surveys/cycle/{closed.pk}/delete/", {"post": "yes"})
    bulk = client.get("/admin/surveys/cycle/")

    assert page.status_code == 200
    assert "/delete/" not in page.content.decode()
    assert (delete_page.status_code, delete_post.status_code) == (403, 403)
    assert "delete_selected" not in bulk.content.decode()
    assert Cycle.objects.filter(pk=closed.pk).exists()
