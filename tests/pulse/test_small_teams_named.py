"""A unit that holds many small teams' answers names the first five and counts the rest, so
its line on the dashboard and its heatmap row stay one line whatever the organisation's size.

Dee leads Ops: ten agents, and seven tiny teams of two below her (each smaller than k = 5,
so each is counted in Ops)."""

import pytest
from django.test import Client

from pulse.models import ReleasedUnit
from pulse.results import counted_here_of, small_teams
from tests.anonymity.test_across_surveys import Sheet, run_survey
from tests.org_builder import build_org
from tests.support.hr_logins import outside_hr_login

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
    hr_login = outside_hr_login("nadia", "nadia@example.com")  # HR at close, so it reads it
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


def test_the_named_teams_are_those_counted_there_and_no_others(client) -> None:
    """Each unit's few names and count (read in SQL, a page at a time) are the teams
    small_teams finds counted in it, merged at launch or moved at close, through a unit
    that was itself moved: Quiet (six people, two answer) goes into Ops at close, and with
    it Tiny Q, merged into Quiet at launch."""
    org = build_org(
        """
        Ada Lovelace (Company)
          10 staff
          Dee Dept (Ops)
            10 agents
            Lead 1 (Tiny 1)
              2 clerks
            Quinn Quiet (Quiet)
              5 analysts
              Lead Q (Tiny Q)
                2 clerks
        """
    )
    quiet = set(org.reports_of("Quinn Quiet")) | {org["Quinn Quiet"]}
    answering = [person for person in org.everyone if person not in quiet]
    answering += sorted(quiet, key=lambda person: person.pk)[:2]
    survey = run_survey(client, "October", {person: Sheet(5, 8, None) for person in answering})
    units = list(ReleasedUnit.objects.filter(cycle=survey.cycle).values_list("unit_id", flat=True))

    expected: dict[int, list[str]] = {}
    for team in small_teams(survey.cycle):
        expected.setdefault(team.counted_in_id, []).append(team.name)
    found = counted_here_of(survey.cycle, units)

    ops = ReleasedUnit.objects.get(cycle=survey.cycle, unit__name="Ops").unit_id
    assert sorted(expected[ops]) == ["Quiet", "Tiny 1", "Tiny Q"]
    assert {unit: (sorted(names)[:5], len(names)) for unit, names in expected.items()} == {
        unit: (counted.first_names, counted.total) for unit, counted in found.items()
    }
