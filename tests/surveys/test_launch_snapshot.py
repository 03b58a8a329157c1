"""Launching freezes the org chart: each team's parent, and the reporting unit its answers count
in, as they stood at launch."""

import pytest

from surveys.launch import launch_now
from surveys.models import Invitation
from tests.surveys.conftest import NOV_1_2026_0900_LONDON

pytestmark = pytest.mark.django_db


def test_the_snapshot_keeps_the_tree_and_moves_tiny_design_into_the_company(org, monthly) -> None:
    cycle = launch_now(cadence=monthly, now=NOV_1_2026_0900_LONDON)

    teams = {team.name: team for team in cycle.teams.all()}
    company, platform, design = teams["Company"], teams["Platform"], teams["Design"]
    assert company.parent is None
    assert platform.parent == company and design.parent == company
    # Design's two people are fewer than k=5, so they count in the Company's unit.
    assert [company.reporting_unit, platform.reporting_unit, design.reporting_unit] == [
        company,
        platform,
        company,
    ]
    assert [company.eligible_count, platform.eligible_count, design.eligible_count] == [6, 6, 2]
    assert [company.unit_eligible_count, platform.unit_eligible_count] == [8, 6]
    assert design.unit_eligible_count == 0
    invited_to = dict(
        Invitation.objects.filter(cycle=cycle).values_list("person_id", "reporting_unit__name")
    )
    assert invited_to[org.design[0].pk] == "Company"
    assert invited_to[org.platform[0].pk] == "Platform"
    assert invited_to[org.ada.pk] == "Company"
