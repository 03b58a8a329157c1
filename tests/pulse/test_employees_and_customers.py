"""HR's "Employees and customers" page, its CSV and the linked API, on the demo organisation
with customer figures for every team: Nadia (HR), Daniel (leads Engineering) and Kenji (leads
Platform, inside Engineering). In the latest demo release Marketing and Product are hidden by
the anonymity rules; the tests that need a unit whose index is hidden while its other domains
are shown hide one of Mobile's domains, as a release does when too few answered it."""

import csv
import io
import re
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from customers.models import Metric, MetricValue
from pulse.models import ReleasedUnit
from surveys.models import Cycle, CycleTeam
from tests.test_csp import refusals

pytestmark = pytest.mark.django_db

HIDDEN = {"Marketing", "Product"}


def hide_one_domain_of(cycle: Cycle, name: str, domain: str) -> None:
    unit = ReleasedUnit.objects.get(cycle=cycle, unit__name=name)
    figures = unit.figures
    figures["index"] = None
    figures["domains"].pop(domain)
    figures["hidden"] = {domain: "too_few_responses"}
    ReleasedUnit.objects.filter(pk=unit.pk).update(figures=figures)


@pytest.fixture
def demo() -> dict:
    call_command("seed_demo", stdout=StringIO())
    cycle = Cycle.objects.filter(release__isnull=False).order_by("-closes_at").first()
    assert cycle is not None
    Metric.objects.all().delete()  # whatever the demo defines: these tests bring their own
    csat = Metric.objects.create(key="csat", name="CSAT", unit="percent")
    minutes = Metric.objects.create(
        key="first_response", name="First response", unit="minutes", better="lower"
    )
    teams = CycleTeam.objects.filter(cycle=cycle, team__isnull=False).order_by("name")
    for offset, team_id in enumerate(teams.values_list("team_id", flat=True)):
        for metric, value in ((csat, 70 + offset), (minutes, 30 - offset)):
            MetricValue.objects.create(
                metric=metric, team_id=team_id, period=cycle.period, value=value
            )
    clients = {}
    for name in ("nadia.petrova", "daniel.novak", "kenji.tanaka"):
        clients[name.split(".")[0]] = Client()
        clients[name.split(".")[0]].force_login(User.objects.get(username=f"{name}@example.com"))
    return {"cycle": cycle, "clients": clients}


def linked(client: Client, cycle: Cycle, **query: str) -> dict:
    params = "&".join(f"{key}={value}" for key, value in {"cycle": cycle.pk, **query}.items())
    response = client.get(f"/api/v1/cx/linked?{params}")
    assert response.status_code == 200, response.content
    return response.json()


def test_no_unit_hidden_by_the_anonymity_rules_is_plotted_or_correlated(demo) -> None:
    body = linked(demo["clients"]["nadia"], demo["cycle"], x="risk", metric="csat")
    names = {point["name"] for point in body["points"]}
    assert names and not names & HIDDEN
    assert body["hidden_by_anonymity_rules"] == len(HIDDEN)
    assert body["correlation"]["n"] == len(body["points"])
    # Mobile's index is hidden (one of its domains is): it is left out of the index's scatter.
    hide_one_domain_of(demo["cycle"], "Mobile", "help")
    by_index = linked(demo["clients"]["nadia"], demo["cycle"], x="index", metric="csat")
    assert "Mobile" not in {point["name"] for point in by_index["points"]}
    assert by_index["hidden_by_anonymity_rules"] == len(HIDDEN) + 1


def test_every_plotted_figure_is_the_released_one(demo) -> None:
    body = linked(demo["clients"]["nadia"], demo["cycle"], x="index", metric="csat")
    released = {r.unit_id: r.figures for r in ReleasedUnit.objects.filter(cycle=demo["cycle"])}
    for point in body["points"]:
        assert point["survey"] == released[point["unit"]]["index"]


def test_a_unit_containing_another_plotted_unit_is_left_out_so_nobody_counts_twice(demo) -> None:
    body = linked(demo["clients"]["nadia"], demo["cycle"], x="risk", metric="csat")
    names = {point["name"] for point in body["points"]}
    assert "Platform" in names and "Engineering" not in names and "Company" not in names
    # Company, Engineering, Customer Support and Sales (which holds Customer Success).
    assert body["containing_other_units"] == 4


def test_a_manager_is_given_only_the_units_they_led(demo) -> None:
    cycle = demo["cycle"]
    kenji = linked(demo["clients"]["kenji"], cycle, x="risk", metric="csat")
    assert [point["name"] for point in kenji["points"]] == ["Platform"]
    daniel = linked(demo["clients"]["daniel"], cycle, x="risk", metric="csat")
    assert {point["name"] for point in daniel["points"]} == {"Platform", "Mobile"}
    assert daniel["hidden_by_anonymity_rules"] == 0


def test_the_hr_page_is_for_hr_only(demo) -> None:
    cycle = demo["cycle"]
    for name, status in (("nadia", 200), ("daniel", 404), ("kenji", 404)):
        page = demo["clients"][name].get(f"/hr/employees-and-customers/?cycle={cycle.pk}")
        assert page.status_code == status
        csv_file = demo["clients"][name].get(f"/hr/employees-and-customers.csv?cycle={cycle.pk}")
        assert csv_file.status_code == status
    assert Client().get("/hr/employees-and-customers/").status_code == 302


def test_the_hr_page_shows_the_scatter_its_table_the_verdict_and_what_was_left_out(demo) -> None:
    cycle = demo["cycle"]
    page = demo["clients"]["nadia"].get(
        f"/hr/employees-and-customers/?cycle={cycle.pk}&x=risk&metric=csat&lag=0"
    )
    text = page.content.decode()
    assert '<svg class="chart scatter"' in text and '<title id="scatter-title">' in text
    assert "<caption>The units in the chart</caption>" in text
    assert re.search(r'<p class="verdict">[^<]*\b14 units\b', text)
    assert "2 units hidden by the anonymity rules are left out" in text
    for hidden in HIDDEN:
        assert f"<title>{hidden}</title>" not in text
    assert "Which domain tracks each metric" in text and "First response" in text
    assert "Employees and customers</a>" in text  # in the HR navigation
    assert refusals(text) == []  # nothing the strict CSP forbids, with the chart drawn


def test_the_csv_lists_exactly_the_plotted_units(demo) -> None:
    cycle = demo["cycle"]
    response = demo["clients"]["nadia"].get(
        f"/hr/employees-and-customers.csv?cycle={cycle.pk}&x=risk&metric=csat"
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    body = linked(demo["clients"]["nadia"], cycle, x="risk", metric="csat")
    assert [row["unit"] for row in rows] == [point["name"] for point in body["points"]]
    assert {row["metric"] for row in rows} == {"csat"}
    api_csv = demo["clients"]["nadia"].get(
        f"/api/v1/cx/linked?cycle={cycle.pk}&x=risk&metric=csat&format=csv"
    )
    assert api_csv.status_code == 200 and api_csv.content == response.content


def test_one_period_later_pairs_the_survey_with_the_next_periods_customer_figures(demo) -> None:
    body = linked(demo["clients"]["nadia"], demo["cycle"], x="risk", metric="csat", lag="1")
    assert body["customer_period"] != body["survey_period"]
    assert body["points"] == []  # nothing imported for the period after: nothing is made up
    assert body["without_customer_figures"] > 0


def test_a_bad_choice_is_refused_with_the_field_and_the_reason(demo) -> None:
    cycle = demo["cycle"]
    client = demo["clients"]["nadia"]
    response = client.get(f"/api/v1/cx/linked?cycle={cycle.pk}&x=mood&metric=nps&lag=2")
    assert response.status_code == 400
    text = response.content.decode()
    assert "mood" in text and "nps" in text and "lag=1" in text
    page = client.get(f"/hr/employees-and-customers/?cycle={cycle.pk}&metric=nps")
    assert page.status_code == 400 and "No customer metric has the key" in page.content.decode()
    assert client.get("/api/v1/cx/linked?cycle=999999").status_code == 404
