"""Shared by the pulse tests: the launched survey of tests/anonymity, and the demo company's
latest release with a client per viewer: Nadia (HR), Daniel (leads Engineering), Kenji (leads
Platform, inside Engineering), Olga (an employee with a login but no team) and a stranger."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from pulse.models import ReleasedUnit
from surveys.models import Cycle
from tests.anonymity.conftest import company, survey

__all__ = ["company", "survey"]


@pytest.fixture
def demo() -> dict:
    call_command("seed_demo", stdout=StringIO())
    cycle = Cycle.objects.filter(release__isnull=False).order_by("-closes_at").first()
    units = {
        r.unit.name: r for r in ReleasedUnit.objects.filter(cycle=cycle).select_related("unit")
    }
    olga = User.objects.create_user("olga.ivanova@example.com", "olga.ivanova@example.com", "pw")
    clients = {"anonymous": Client()}
    for name, user in (
        ("nadia", User.objects.get(username="nadia.petrova@example.com")),
        ("daniel", User.objects.get(username="daniel.novak@example.com")),
        ("kenji", User.objects.get(username="kenji.tanaka@example.com")),
        ("olga", olga),
    ):
        clients[name] = Client()
        clients[name].force_login(user)
    return {"cycle": cycle, "units": units, "clients": clients}
