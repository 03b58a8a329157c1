"""The manager's "Customers" panel on the dashboard, on the demo organisation: Daniel leads
Engineering (Platform, Mobile and Data below it), released in both demo surveys; Kenji leads
Platform, released only in the latest."""

import re
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from customers.models import Metric, MetricValue
from surveys.models import Cycle, CycleTeam
from teams.models import Team
from tests.test_csp import refusals

pytestmark = pytest.mark.django_db

# CSAT per team and survey period: (earlier, latest).
CSAT = {"Engineering": (80, 90), "Platform": (70, 60), "Mobile": (60, 70), "Data": (50, 40)}


@pytest.fixture
def demo() -> dict:
    call_command("seed_demo", stdout=StringIO())
    earlier, latest = Cycle.objects.filter(release__isnull=False).order_by("closes_at")
    Metric.objects.all().delete()  # whatever the demo defines: these tests bring their own
    csat = Metric.objects.create(key="csat", name="CSAT", unit="percent")
    for name, values in CSAT.items():
        team = Team.objects.get(name=name)
        for cycle, value in zip((earlier, latest), values, strict=True):
            MetricValue.objects.create(metric=csat, team=team, period=cycle.period, value=value)
    clients = {}
    for name in ("daniel.novak", "kenji.tanaka"):
        clients[name.split(".")[0]] = Client()
        clients[name.split(".")[0]].force_login(User.objects.get(username=f"{name}@example.com"))
    return {"earlier": earlier, "latest": latest, "clients": clients}


def dashboard_of(client: Client, cycle: Cycle, team: str) -> str:
    unit = CycleTeam.objects.get(cycle=cycle, name=team).pk
    response = client.get(f"/dashboard/?cycle={cycle.pk}&unit={unit}")
    assert response.status_code == 200
    return response.content.decode()


def test_the_panel_rolls_up_the_teams_the_survey_figures_cover(demo) -> None:
    page = dashboard_of(demo["clients"]["daniel"], demo["latest"], "Engineering")
    assert "<h2>Customers</h2>" in page
    # Engineering's figures cover Engineering, Platform, Mobile and Data: (90+60+70+40) / 4.
    assert "<td>65.0</td>" in page
    assert "not imported yet" in page  # nothing for the period after the survey


def test_the_metrics_trend_is_drawn_under_the_index_trend_on_the_same_axis(demo) -> None:
    earlier, latest = demo["earlier"], demo["latest"]
    page = dashboard_of(demo["clients"]["daniel"], latest, "Engineering")
    index_chart = page.index('id="index-trend-title"')
    metric_chart = page.index('id="metric-csat-title"')
    assert index_chart < metric_chart
    assert "<caption>CSAT by survey</caption>" in page
    # The earlier survey's figure: (80+70+60+50) / 4; both charts put it at the same x.
    assert f'<th scope="row">{earlier.period}</th><td>65.0</td>' in page
    index_x = re.findall(r'<circle cx="([0-9.]+)"', page[index_chart:metric_chart])
    metric_x = re.findall(r'<circle cx="([0-9.]+)"', page[metric_chart:])
    assert len(index_x) == 2 and index_x == metric_x
    assert refusals(page) == []


def test_a_manager_sees_the_customer_figures_of_their_own_unit_only(demo) -> None:
    page = dashboard_of(demo["clients"]["kenji"], demo["latest"], "Platform")
    assert "<h2>Customers</h2>" in page and "<td>60.0</td>" in page
    unit = CycleTeam.objects.get(cycle=demo["latest"], name="Engineering").pk
    response = demo["clients"]["kenji"].get(f"/dashboard/?cycle={demo['latest'].pk}&unit={unit}")
    assert response.status_code == 404


def test_without_customer_metrics_there_is_no_panel(demo) -> None:
    Metric.objects.all().delete()
    page = dashboard_of(demo["clients"]["daniel"], demo["latest"], "Engineering")
    assert "<h2>Customers</h2>" not in page
