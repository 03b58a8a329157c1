"""A small organisation with customer-facing teams, and the two metrics its CX team tracks.

Ada (employee_id A1) runs the Company; Sam (S2) leads Support, with Nora (N3, Support North) and
Sol (S4, Support South) under him; Sid (S5) leads Sales and Lee (L6) Legal.
"""

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from customers.models import Metric
from customers.roles import ensure_cx_admin_group
from teams.models import Person
from tests.org_builder import BuiltOrg, build_org

OUTLINE = """
    Ada (Company)
      Sam (Support)
        Nora (Support North)
          3 agents
        Sol (Support South)
          2 agents
        Sue
      Sid (Sales)
        Sven
      Lee (Legal)
        Lou
"""


LEADER_IDS = {"Ada": "A1", "Sam": "S2", "Nora": "N3", "Sol": "S4", "Sid": "S5", "Lee": "L6"}


@pytest.fixture
def org(db: None) -> BuiltOrg:
    org = build_org(OUTLINE)
    for name, employee_id in LEADER_IDS.items():
        Person.objects.filter(pk=org[name].pk).update(employee_id=employee_id)
    return org


@pytest.fixture
def csat(db: None) -> Metric:
    return Metric.objects.create(key="csat", name="CSAT", unit="percent", roll_up="weighted_mean")


@pytest.fixture
def tickets(db: None) -> Metric:
    return Metric.objects.create(key="tickets", name="Tickets solved", unit="count", roll_up="sum")


@pytest.fixture
def cx_admin(db: None) -> APIClient:
    """An API client signed in as Carla, a CX admin (not HR)."""
    carla = User.objects.create_user("carla", "carla@example.com", "pw")
    carla.groups.add(ensure_cx_admin_group())
    client = APIClient()
    client.force_authenticate(carla)
    return client
