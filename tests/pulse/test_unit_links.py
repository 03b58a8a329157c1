"""Daniel (leads Engineering) reads Platform, a team inside it, and switches to an earlier survey:
he stays on Platform. Links to a unit name its team, so they still work next quarter; links of
the old per-survey form keep working."""

import re
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from pulse.models import ReleasedUnit
from surveys.models import Cycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo() -> dict:
    call_command("seed_demo", stdout=StringIO())
    latest, earlier = Cycle.objects.filter(release__isnull=False).order_by("-closes_at")[:2]
    daniel, kenji = Client(), Client()
    daniel.force_login(User.objects.get(username="daniel.novak@example.com"))
    kenji.force_login(User.objects.get(username="kenji.tanaka@example.com"))

    def unit(cycle: Cycle, name: str) -> ReleasedUnit:
        return ReleasedUnit.objects.select_related("unit").get(cycle=cycle, unit__name=name)

    return {"latest": latest, "earlier": earlier, "daniel": daniel, "kenji": kenji, "unit": unit}


def heading(page: str) -> str:
    found = re.search(r"<h1>(.*?)</h1>", page)
    assert found, page
    return found.group(1)


def test_the_survey_picker_on_a_sub_unit_keeps_the_unit(demo) -> None:
    latest, earlier = demo["latest"], demo["earlier"]
    platform = demo["unit"](latest, "Platform").unit
    page = demo["daniel"].get(f"/dashboard/?cycle={latest.pk}&team={platform.team_id}").text
    assert heading(page) == "Platform"
    picker = page[page.index('<form method="get" class="picker">') :].split("</form>")[0]
    assert f'<input type="hidden" name="team" value="{platform.team_id}">' in picker

    # What the browser sends when Daniel picks the earlier survey and presses Show.
    switched = demo["daniel"].get("/dashboard/", {"cycle": earlier.pk, "team": platform.team_id})
    assert switched.status_code == 200
    assert heading(switched.text) == "Platform"
    assert switched.context["selected"].released.cycle_id == earlier.pk


def test_links_to_units_name_the_team_and_work_in_another_survey(demo) -> None:
    latest, earlier = demo["latest"], demo["earlier"]
    engineering = demo["unit"](latest, "Engineering").unit
    page = demo["daniel"].get(f"/dashboard/?cycle={latest.pk}").text
    assert heading(page) == "Engineering"
    child_links = re.findall(r'href="\?cycle=\d+&amp;(\w+)=(\d+)"', page)
    assert child_links and all(kind == "team" for kind, _ in child_links)
    platform_team = demo["unit"](latest, "Platform").unit.team_id
    assert ("team", str(platform_team)) in child_links
    # The same team address, in the other survey, is the same team.
    again = demo["daniel"].get(f"/dashboard/?cycle={earlier.pk}&team={engineering.team_id}")
    assert heading(again.text) == "Engineering"


def test_an_old_unit_link_still_opens_its_team(demo) -> None:
    latest, earlier = demo["latest"], demo["earlier"]
    platform_now = demo["unit"](latest, "Platform").unit_id
    platform_then = demo["unit"](earlier, "Platform").unit_id
    assert platform_now != platform_then  # a per-survey id
    same_survey = demo["daniel"].get(f"/dashboard/?cycle={latest.pk}&unit={platform_now}")
    assert heading(same_survey.text) == "Platform"
    # A bookmark of last quarter's unit, opened on this quarter's results.
    other_survey = demo["daniel"].get(f"/dashboard/?cycle={latest.pk}&unit={platform_then}")
    assert heading(other_survey.text) == "Platform"
    assert other_survey.context["selected"].released.cycle_id == latest.pk


def test_a_team_outside_the_viewers_scope_is_not_found_by_either_address(demo) -> None:
    latest = demo["latest"]
    sales = demo["unit"](latest, "Sales").unit
    assert (
        demo["kenji"].get(f"/dashboard/?cycle={latest.pk}&team={sales.team_id}").status_code == 404
    )
    assert demo["kenji"].get(f"/dashboard/?cycle={latest.pk}&unit={sales.pk}").status_code == 404
    assert demo["kenji"].get(f"/dashboard/?cycle={latest.pk}&team=x").status_code == 404
