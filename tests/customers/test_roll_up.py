"""A unit's customer figures cover exactly the teams its survey figures cover, rolled up by each
metric's rule; every expected number here is worked out by hand in the comments."""

from datetime import UTC, datetime

import pytest

from customers.models import Metric, MetricValue
from customers.selectors import (
    RolledValue,
    UnknownPeriod,
    metrics,
    months_of,
    period_after,
    rolled_up_for_cycle,
)
from surveys.models import Cadence, Cycle, CycleTeam
from teams.models import Team
from tests.org_builder import BuiltOrg

pytestmark = pytest.mark.django_db


def snapshot(org: BuiltOrg, period: str = "2026-11") -> dict[str, CycleTeam]:
    """A launched cycle's snapshot of the org: Support North merged into Support, Sales into
    the Company; Support South and Legal are units of their own."""
    cadence = Cadence.objects.create(
        name="Pulse", kind="monthly", day_of_month=1, send_hour=9, time_zone="UTC"
    )
    moment = datetime(2026, 11, 1, 9, tzinfo=UTC)
    cycle = Cycle.objects.create(
        cadence=cadence,
        period=period,
        kind="monthly",
        opens_at=moment,
        closes_at=moment,
        k=3,
        k_comment=10,
    )
    teams: dict[str, CycleTeam] = {}
    for name, parent in (
        ("Company", None),
        ("Support", "Company"),
        ("Support North", "Support"),
        ("Support South", "Support"),
        ("Sales", "Company"),
        ("Legal", "Company"),
    ):
        team = org.team(name)
        teams[name] = CycleTeam.objects.create(
            cycle=cycle,
            team=team,
            parent=teams[parent] if parent else None,
            name=name,
            manager=team.manager,
            manager_name=team.manager.name,
            eligible_count=3,
        )
    unit_of = {"Support North": "Support", "Sales": "Company"}
    for name, cycle_team in teams.items():
        cycle_team.reporting_unit = teams[unit_of.get(name, name)]
        cycle_team.save(update_fields=["reporting_unit"])
    return teams


def value(metric: Metric, team: str, period: str, number: float, volume: float | None) -> None:
    MetricValue.objects.create(
        metric=metric, team=Team.objects.get(name=team), period=period, value=number, volume=volume
    )


def test_a_unit_weighs_its_whole_subtree_by_volume_and_sums_what_adds_up(
    org, csat, tickets
) -> None:
    units = snapshot(org)
    for team, score, volume in (
        ("Support", 80, 100),
        ("Support North", 90, 300),
        ("Support South", 70, 100),
        ("Sales", 60, 500),
    ):
        value(csat, team, "2026-11", score, volume)
    for team, solved in (
        ("Support", 10),
        ("Support North", 20),
        ("Support South", 5),
        ("Sales", 7),
    ):
        value(tickets, team, "2026-11", solved, None)
    value(csat, "Support", "2026-10", 10, 1000)  # another month: not in the period

    rolled = rolled_up_for_cycle(cycle_id=units["Company"].cycle_id, period="2026-11")

    # Units only: Support North and Sales count in the units they merged into.
    assert set(rolled) == {
        units[name].pk for name in ("Company", "Support", "Support South", "Legal")
    }
    # Support: (80·100 + 90·300 + 70·100) / 500 = 42000 / 500 = 84
    assert rolled[units["Support"].pk]["csat"] == RolledValue(value=84.0, volume=500, teams=3)
    assert rolled[units["Support South"].pk]["csat"] == RolledValue(value=70.0, volume=100, teams=1)
    # Company: (42000 + 60·500) / 1000 = 72, over four teams (its own has no value)
    assert rolled[units["Company"].pk]["csat"] == RolledValue(value=72.0, volume=1000, teams=4)
    # Sums: Support 10 + 20 + 5 = 35; Company adds Sales' 7
    assert rolled[units["Support"].pk]["tickets"] == RolledValue(value=35, volume=None, teams=3)
    assert rolled[units["Company"].pk]["tickets"].value == 42
    # Legal has no value for any metric: no entry, never a zero.
    assert rolled[units["Legal"].pk] == {}


def test_a_quarter_rolls_up_its_three_months_and_values_without_volume_count_once_each(
    org, csat
) -> None:
    units = snapshot(org, period="2026-Q4")
    value(csat, "Support North", "2026-10", 60, 100)
    value(csat, "Support North", "2026-11", 90, 300)
    value(csat, "Support North", "2026-12", 80, 100)
    value(csat, "Support North", "2027-01", 0, 100)  # next quarter
    nps = Metric.objects.create(key="nps", name="NPS", unit="points", roll_up="weighted_mean")
    value(nps, "Support", "2026-10", 10, None)
    value(nps, "Support South", "2026-12", 40, 500)

    rolled = rolled_up_for_cycle(cycle_id=units["Company"].cycle_id, period="2026-Q4")

    # (60·100 + 90·300 + 80·100) / 500 = 41000 / 500 = 82, one team with a value
    assert rolled[units["Support"].pk]["csat"] == RolledValue(value=82.0, volume=500, teams=1)
    # One value has no volume, so each counts once: (10 + 40) / 2 = 25, and no total volume
    assert rolled[units["Support"].pk]["nps"] == RolledValue(value=25.0, volume=None, teams=2)
    assert rolled[units["Support South"].pk]["nps"] == RolledValue(value=40.0, volume=500, teams=1)


def test_periods_name_their_months_and_the_period_after() -> None:
    assert months_of("2026-11") == ["2026-11"]
    assert months_of("2026-Q4") == ["2026-10", "2026-11", "2026-12"]
    assert months_of("2027-Q1") == ["2027-01", "2027-02", "2027-03"]
    assert period_after("2026-11") == "2026-12"
    assert period_after("2026-12") == "2027-01"
    assert period_after("2026-Q3") == "2026-Q4"
    assert period_after("2026-Q4") == "2027-Q1"
    for nonsense in ("2026-13", "2026-Q5", "26-11", "2026/11", ""):
        with pytest.raises(UnknownPeriod):
            months_of(nonsense)


def test_metrics_are_listed_by_name(csat, tickets) -> None:
    Metric.objects.create(key="aht", name="Average handling time", unit="minutes", better="lower")
    assert [(m.key, m.better, m.roll_up) for m in metrics()] == [
        ("aht", "lower", "weighted_mean"),
        ("csat", "higher", "weighted_mean"),
        ("tickets", "higher", "sum"),
    ]
