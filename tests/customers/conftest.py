"""A small organisation with customer-facing teams, and the two metrics its CX team tracks.

Ada (e1) runs the Company; Sam (e2) leads Support, with Nora (e3, Support North) and Sol (e4,
Support South) under him; Sid (e5) leads Sales and Lee (e6) Legal.
"""

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from customers.models import Metric
from customers.roles import ensure_cx_admin_group
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


@pytest.fixture
def org(db: None) -> BuiltOrg:
    return build_org(OUTLINE)


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
