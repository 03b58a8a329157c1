"""The CX admin role reaches customer metrics and nothing else; HR reaches them too."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from teams.roles import ensure_hr_group

pytestmark = pytest.mark.django_db


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_cx_admin_edits_metrics_in_the_admin_but_not_people(csat) -> None:
    User.objects.create_user("carla@example.com", "carla@example.com", "pw")
    call_command("make_cx_admin", "carla@example.com", stdout=StringIO())
    carla = logged_in(User.objects.get(username="carla@example.com"))
    assert carla.get("/admin/customers/metric/").status_code == 200
    assert carla.get(f"/admin/customers/metric/{csat.pk}/change/").status_code == 200
    assert carla.get("/admin/customers/metricvalue/").status_code == 200
    assert carla.get("/admin/teams/person/").status_code == 403
    assert carla.get("/admin/surveys/cadence/").status_code == 403


def test_hr_admins_edit_metrics_in_the_admin(csat) -> None:
    hannah = User.objects.create_user("hannah", "hannah@example.com", "pw", is_staff=True)
    hannah.groups.add(ensure_hr_group())
    assert logged_in(hannah).get("/admin/customers/metric/add/").status_code == 200


def test_make_cx_admin_refuses_an_unknown_login(db) -> None:
    with pytest.raises(Exception, match="No login is called"):
        call_command("make_cx_admin", "nobody@example.com", stdout=StringIO())
