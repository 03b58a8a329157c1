"""Who sees what, on every results route: Nadia (HR), Daniel (leads Engineering), Kenji (leads
Platform, inside Engineering), Olga (an employee with a login but no team) and a stranger."""

import pytest
from django.utils.html import escape

from pulse.disclosure import Suppression
from pulse.models import ReleasedUnit
from tests.support.unit_levels import every_level

pytestmark = pytest.mark.django_db


def test_every_results_route_answers_each_viewer_as_expected(demo) -> None:
    cycle, units, clients = demo["cycle"], demo["units"], demo["clients"]
    engineering, sales = units["Engineering"].unit_id, units["Sales"].unit_id
    routes = {
        "engineering page": f"/dashboard/?cycle={cycle.pk}&unit={engineering}",
        "sales page": f"/dashboard/?cycle={cycle.pk}&unit={sales}",
        "heatmap": f"/hr/heatmap/?cycle={cycle.pk}",
        "participation": "/hr/participation/",
        "cycles": "/hr/cycles/",
        "api list": f"/api/v1/results/?cycle={cycle.pk}",
        "engineering trend": f"/api/v1/results/{engineering}/trend",
        "sales trend": f"/api/v1/results/{sales}/trend",
    }
    expected = {
        #                    nadia daniel kenji olga anonymous
        "engineering page": (200, 200, 404, 404, 302),
        "sales page": (200, 404, 404, 404, 302),
        "heatmap": (200, 404, 404, 404, 302),
        "participation": (200, 404, 404, 404, 302),
        "cycles": (200, 404, 404, 404, 302),
        "api list": (200, 200, 200, 404, 401),
        "engineering trend": (200, 200, 404, 404, 401),
        "sales trend": (200, 404, 404, 404, 401),
    }
    viewers = ("nadia", "daniel", "kenji", "olga", "anonymous")
    seen = {
        route: tuple(clients[viewer].get(path).status_code for viewer in viewers)
        for route, path in routes.items()
    }
    assert seen == expected


def test_a_manager_lists_exactly_their_own_subtree(demo) -> None:
    cycle, clients = demo["cycle"], demo["clients"]
    kenji = clients["kenji"].get(f"/api/v1/results/?cycle={cycle.pk}").json()
    assert [unit["name"] for unit in kenji] == ["Platform"]
    daniel = {
        unit["name"] for unit in clients["daniel"].get(f"/api/v1/results/?cycle={cycle.pk}").json()
    }
    assert {"Engineering", "Platform"} <= daniel and "Sales" not in daniel
    everyone = clients["nadia"].get(f"/api/v1/results/?cycle={cycle.pk}").json()
    assert len(everyone) == ReleasedUnit.objects.filter(cycle=cycle).count()


def test_a_suppressed_unit_shows_the_reason_and_never_a_count(demo) -> None:
    cycle, clients = demo["cycle"], demo["clients"]
    suppressed = list(
        ReleasedUnit.objects.filter(cycle=cycle, status="suppressed").select_related("unit")
    )
    assert suppressed, "the demo has a unit below the thresholds"
    api = clients["nadia"].get(f"/api/v1/results/?cycle={cycle.pk}").json()
    for unit in suppressed:
        sentence = Suppression(unit.reason).sentence(cycle.k)
        page = (
            clients["nadia"]
            .get(f"/dashboard/?cycle={cycle.pk}&unit={unit.unit_id}")
            .content.decode()
        )
        assert f"Not shown:</strong> {escape(sentence)}" in page
        assert "answered" not in page.split("Not shown:")[1]
        row = next(row for row in api if row["id"] == unit.unit_id)
        assert (row["respondents"], row["domains"]) == (None, {})
        assert row["reason"].startswith(sentence)


def test_the_dashboard_highlights_the_weakest_domain_with_a_guide(demo) -> None:
    cycle, clients = demo["cycle"], demo["clients"]
    # Platform's release is in whole points (everyone there answers every month), where one
    # domain is lowest; coarse steps can leave two level, and then none is named.
    platform = demo["units"]["Platform"]
    domains = platform.figures["domains"]
    weakest = min(domains, key=lambda d: domains[d]["score"])
    assert [d["score"] for d in domains.values()].count(domains[weakest]["score"]) == 1
    page = (
        clients["kenji"]
        .get(f"/dashboard/?cycle={cycle.pk}&unit={platform.unit_id}")
        .content.decode()
    )
    labels = {
        "risk": "Risk and failure",
        "conversation": "Open conversation",
        "help": "Willingness to help",
        "inclusivity": "Inclusivity",
    }
    assert f"Focus: {escape(labels[weakest])}" in page
    assert "One practice to try" in page
    assert "<script" not in page and "style=" not in page


def test_the_dashboard_costs_the_same_number_of_queries_for_any_number_of_units(
    demo, django_assert_max_num_queries
) -> None:
    cycle, clients = demo["cycle"], demo["clients"]
    # 19 for the results; the loop's panel adds three, whatever the size: the team's focuses
    # (this release's and the previous one), their commitments, and whether the viewer led the
    # team when the previous one was chosen. The customers panel adds one, whether any customer
    # metric is defined, and where one is, a roll-up (at most three) for the survey's period,
    # the period after and each earlier release the trend shows: here one.
    with django_assert_max_num_queries(32):
        assert clients["nadia"].get(f"/dashboard/?cycle={cycle.pk}").status_code == 200


def test_a_missing_cycle_parameter_is_a_clear_400(demo) -> None:
    response = demo["clients"]["nadia"].get("/api/v1/results/")
    assert response.status_code == 400
    assert "cycle" in response.json()["fields"]


def test_the_heatmap_opens_level_by_level_and_keeps_hidden_units_with_their_reason(demo) -> None:
    cycle, clients = demo["cycle"], demo["clients"]
    first = clients["nadia"].get(f"/hr/heatmap/?cycle={cycle.pk}").content.decode()
    assert 'class="depth-0"><a' in first and 'class="depth-1"><a' in first
    assert first.index(">Company</a>") < first.index(">Engineering</a>")
    assert ">Platform</a>" not in first  # a level further down: Engineering opens it
    engineering = demo["units"]["Engineering"].unit
    assert f'<a class="opens" href="?cycle={cycle.pk}&amp;team={engineering.team_id}">' in first
    opened = clients["nadia"].get(f"/hr/heatmap/?cycle={cycle.pk}&team={engineering.team_id}")
    page = opened.content.decode()
    assert page.index(">Engineering</a>") < page.index(">Platform</a>")
    assert "↑ The unit above" in page
    everything = "".join(every_level(clients["nadia"], "/hr/heatmap/", cycle.pk))
    for unit in ReleasedUnit.objects.filter(cycle=cycle).select_related("unit"):
        assert f">{escape(unit.unit.name)}</a>" in everything  # every unit is reached
    for unit in ReleasedUnit.objects.filter(cycle=cycle, status="suppressed").select_related(
        "unit"
    ):
        row = everything[everything.index(f">{escape(unit.unit.name)}</a>") :].split("</tr>")[0]
        assert f"Hidden: {escape(Suppression(unit.reason).sentence(cycle.k))}" in row
    assert "style=" not in everything


def test_the_api_publishes_whole_points_each_with_the_people_it_describes(demo) -> None:
    cycle, clients = demo["cycle"], demo["clients"]
    rows = clients["nadia"].get(f"/api/v1/results/?cycle={cycle.pk}").json()
    released = [row for row in rows if row["status"] == "released"]
    assert released
    for row in released:
        stored = demo["units"][row["name"]].figures
        assert row["index"] == stored["index"] and row["enps"] == stored["enps"]
        assert all(
            isinstance(value, int) for value in (row["index"], row["enps"]) if value is not None
        )
        for domain, figure in row["domains"].items():
            assert set(figure) == {"score", "favorable", "respondents"}  # never the spread
            assert figure["score"] == stored["domains"][domain]["score"]
            assert isinstance(figure["score"], int) and figure["respondents"] >= cycle.k
        if row["enps"] is not None:
            assert row["enps_respondents"] >= cycle.k
    # The page shows the same numbers, no more digits (Platform's release is in whole points).
    platform = demo["units"]["Platform"]
    assert platform.figures["precision"] == 1
    page = clients["nadia"].get(f"/dashboard/?cycle={cycle.pk}&unit={platform.unit_id}")
    assert f'<span class="big">{platform.figures["index"]}</span>' in page.content.decode()
