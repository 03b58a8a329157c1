"""HR's delivery page: Harriet in HR sees each cycle's invitations and failed deliveries; Grace,
a manager, gets the same 404 as for a page that does not exist."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from surveys.launch import launch_now
from surveys.models import Invitation
from teams.roles import ensure_hr_group

pytestmark = pytest.mark.django_db


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_hr_sees_invited_people_and_failed_deliveries_per_cycle(org, monthly) -> None:
    cycle = launch_now(cadence=monthly, now=timezone.now())
    Invitation.objects.filter(cycle=cycle, person=org.ada).update(delivery_failed=True)
    harriet = User.objects.create_user("harriet@example.com", "harriet@example.com", "x")
    harriet.groups.add(ensure_hr_group())

    response = logged_in(harriet).get("/hr/cycles/")

    assert response.status_code == 200
    rows = list(response.context["rows"])
    assert [(row.cycle.pk, row.delivery.invited, row.delivery.failed) for row in rows] == [
        (cycle.pk, len(org.everyone), 1)
    ]
    assert "Open" in response.content.decode()


def test_a_manager_and_a_visitor_do_not_see_the_delivery_page(org) -> None:
    grace = User.objects.create_user("grace.hopper@example.com", "grace.hopper@example.com", "x")
    org.grace.user = grace
    org.grace.save()
    assert logged_in(grace).get("/hr/cycles/").status_code == 404
    assert Client().get("/hr/cycles/").status_code == 302
