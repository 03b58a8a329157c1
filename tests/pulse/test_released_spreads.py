"""A release keeps each domain's spread no finer than its pages show its scores: in whole
points when fine, not at all when coarse, where the change gets no verdict. On the demo
company, whose November release shows some units in coarse steps."""

import importlib
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from pulse.loop import change_sentence
from pulse.models import ReleasedUnit
from pulse.release import domain_figures
from pulse.scoring import DomainFigure
from surveys.models import Cycle

pytestmark = pytest.mark.django_db

spreads_migration = importlib.import_module(
    "pulse.migrations.0004_released_spreads_no_finer_than_pages"
)


def test_a_fine_release_keeps_the_spread_in_whole_points_and_a_coarse_one_keeps_none() -> None:
    figure = DomainFigure(score=61.4, favorable=55.6, respondents=9, spread=12.62)
    assert domain_figures(figure, precision=1) == {
        "score": 61,
        "favorable": 56,
        "respondents": 9,
        "spread": 13,
    }
    assert domain_figures(figure, precision=50) == {"score": 50, "favorable": 50, "respondents": 9}


def test_a_change_from_or_to_a_coarse_release_gets_no_verdict() -> None:
    fine = {"score": 60, "favorable": 50, "respondents": 12, "spread": 20}
    coarse = {"score": 50, "favorable": 50, "respondents": 13}
    assert (
        change_sentence(fine, coarse)
        == "down 10 points: the people may differ by a few, so no comparison"
    )
    assert (
        change_sentence(coarse, fine)
        == "up 10 points: the people may differ by a few, so no comparison"
    )


def test_a_two_point_change_in_a_large_group_is_not_called_real_when_rounding_could_explain_it() -> (
    None
):
    before = {"score": 50, "favorable": 50, "respondents": 400, "spread": 10}
    after = {"score": 52, "favorable": 52, "respondents": 400, "spread": 10}
    assert change_sentence(before, after) == "up 2 points: within the noise"
    after["score"] = 54
    assert change_sentence(before, after) == "up 4 points: likely a real change"


@pytest.fixture
def demo() -> Cycle:
    call_command("seed_demo", stdout=StringIO())
    november = Cycle.objects.filter(release__isnull=False).order_by("-closes_at").first()
    assert november is not None
    return november


def released(cycle: Cycle) -> list[ReleasedUnit]:
    return list(ReleasedUnit.objects.filter(cycle=cycle, status="released").select_related("unit"))


def test_the_dashboard_gives_a_coarse_unit_no_verdict_and_a_fine_one_its_verdict(demo) -> None:
    units = released(demo)
    coarse = next(unit for unit in units if unit.figures["precision"] > 1)
    fine = next(
        unit for unit in units if unit.figures["precision"] == 1 and unit.trend_from.exists()
    )
    hr = Client()
    hr.force_login(User.objects.get(username="nadia.petrova@example.com"))

    coarse_page = hr.get(f"/dashboard/?cycle={demo.pk}&unit={coarse.unit_id}").text
    assert "the people may differ by a few, so no comparison" in coarse_page
    assert "within the noise" not in coarse_page and "likely a real change" not in coarse_page
    fine_page = hr.get(f"/dashboard/?cycle={demo.pk}&unit={fine.unit_id}").text
    assert "within the noise" in fine_page or "likely a real change" in fine_page


def test_the_migration_rounds_the_spreads_of_fine_releases_and_drops_those_of_coarse_ones(
    demo,
) -> None:
    for unit in ReleasedUnit.objects.exclude(figures={}):
        for figure in unit.figures["domains"].values():
            figure["spread"] = 17.49  # as releases stored it before: exact
        unit.save(update_fields=["figures"])

    spreads_migration.store_no_finer_spreads(apps, None)

    units = released(demo)
    assert {unit.figures["precision"] > 1 for unit in units} == {True, False}
    for unit in units:
        spreads = [figure.get("spread") for figure in unit.figures["domains"].values()]
        assert spreads == [17 if unit.figures["precision"] == 1 else None] * len(spreads)
