"""A unit that holds many small teams' answers names the first five and counts the rest, so
its line on the dashboard and its heatmap row stay one line whatever the organisation's size.

Dee leads Ops: ten agents, and seven tiny teams of two below her (each smaller than k = 5,
so each is counted in Ops)."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from pulse.models import ReleasedUnit
from teams.roles import ensure_hr_group
from tests.anonymity.test_across_surveys import Sheet, run_survey
from tests.org_builder import build_org

pytestmark = pytest.mark.django_db

TINY = [f"Tiny {n}" for n in range(1, 8)]


def test_seven_small_teams_are_five_names_and_a_count(client) -> None:
    tiny_teams = "\n".join(
        f"            Lead {n} (Tiny {n})\n              2 clerks" for n in range(1, 8)
    )
    org = build_org(
        f"""
        Ada Lovelace (Company)
          10 staff
          Dee Dept (Ops)
            10 agents
{tiny_teams}
        """
    )
    hr_login = User.objects.create_user("nadia", "nadia@example.com", "pw")
    hr_login.groups.add(ensure_hr_group())  # HR when the survey closes, so it reads it
    survey = run_survey(client, "October", {person: Sheet(5, 8, None) for person in org.everyone})
    ops = ReleasedUnit.objects.get(cycle=survey.cycle, unit__name="Ops")
    assert ops.status == "released"

    hr = Client()
    hr.force_login(hr_login)
    five = ", ".join(sorted(TINY)[:5])
    page = hr.get(f"/dashboard/?cycle={survey.cycle.pk}&unit={ops.unit_id}").text
    assert f"These results include the answers of {five} and 2 more teams" in page
    heatmap = hr.get(f"/hr/heatmap/?cycle={survey.cycle.pk}").text
    assert f"Also counts {five} and 2 more teams" in heatmap
    assert "Tiny 6" not in heatmap and "Tiny 7" not in heatmap
