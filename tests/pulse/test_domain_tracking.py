"""Which domain tracks a metric, and where the two disagree, on an organisation of twelve
released teams under one company (built as released rows: the figures are what matters here).
Ada leads the company, so she reads all of it. Willingness to help rises with CSAT across the
teams, except in Team 12 (helpful people, unhappy customers); the other domains wander."""

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client

from customers.models import Metric, MetricValue
from customers.selectors import MetricInfo, metrics
from pulse.linkage import LinkedPoint, disagreements, domain_tracking, linked_view
from pulse.linkage_stats import pearson
from pulse.models import CycleRelease, ReleasedUnit
from surveys.instrument import Domain
from surveys.models import Cadence, Cycle, CycleTeam
from teams.models import Person, Team

pytestmark = pytest.mark.django_db

HELP = [30 + 5 * i for i in range(12)]
CSAT = [60 + 2 * i for i in range(11)] + [61]
WANDERING = [50, 62, 41, 58, 47, 66, 39, 55, 60, 44, 52, 49]
# CSAT that goes with no domain: |r| under 0.15 with each of them.
UNRELATED = [70, 73, 66, 68, 63, 68, 76, 66, 79, 73, 60, 67]


def person(name: str, user: User | None = None) -> Person:
    slug = name.lower().replace(" ", ".")
    return Person.objects.create(
        employee_id=slug, email=f"{slug}@example.com", name=name, user=user
    )


def domain(score: int) -> dict:
    return {"score": score, "favorable": score, "respondents": 8, "spread": 10.0}


@pytest.fixture
def org() -> dict:
    ada = User.objects.create_user("ada", "ada@example.com", "pw")
    company = Team.objects.create(name="Company", manager=person("Ada Lovelace", ada))
    cadence = Cadence.objects.create(name="Monthly pulse", kind="monthly")
    moment = datetime(2026, 11, 3, tzinfo=UTC)
    cycle = Cycle.objects.create(
        cadence=cadence,
        period="2026-11",
        kind="monthly",
        state="released",
        opens_at=moment,
        closes_at=moment,
        k=5,
        k_comment=10,
    )
    CycleRelease.objects.create(cycle=cycle, respondents=13 * 8)
    root = CycleTeam.objects.create(
        cycle=cycle, team=company, name="Company", manager=company.manager, eligible_count=8
    )
    root.reporting_unit = root
    root.save()
    csat = Metric.objects.create(key="csat", name="CSAT", unit="percent")
    ReleasedUnit.objects.create(
        cycle=cycle,
        unit=root,
        status="released",
        eligible=13 * 8,
        respondents=13 * 8,
        figures={"index": 50, "domains": {d.value: domain(50) for d in Domain}},
    )
    for i in range(13):
        name = f"Team {i + 1}"
        team = Team.objects.create(name=name, parent=company, manager=person(f"Lead {i + 1}"))
        unit = CycleTeam.objects.create(
            cycle=cycle, team=team, parent=root, name=name, manager=team.manager, eligible_count=8
        )
        unit.reporting_unit = unit
        unit.save()
        if i == 12:  # hidden by the anonymity rules, with customer figures all the same
            ReleasedUnit.objects.create(
                cycle=cycle,
                unit=unit,
                parent_unit=root,
                status="suppressed",
                reason="too_few_responses",
                eligible=8,
                figures={},
            )
            MetricValue.objects.create(metric=csat, team=team, period="2026-11", value=99)
            continue
        scores = {
            Domain.WILLINGNESS_TO_HELP.value: HELP[i],
            Domain.RISK_AND_FAILURE.value: WANDERING[i],
            Domain.OPEN_CONVERSATION.value: WANDERING[(i + 5) % 12],
            Domain.INCLUSIVITY.value: WANDERING[(i + 9) % 12],
        }
        ReleasedUnit.objects.create(
            cycle=cycle,
            unit=unit,
            parent_unit=root,
            status="released",
            eligible=8,
            respondents=8,
            figures={
                "index": round(sum(scores.values()) / 4),
                "enps": 0,
                "domains": {key: domain(value) for key, value in scores.items()},
            },
        )
        MetricValue.objects.create(metric=csat, team=team, period="2026-11", value=CSAT[i])
    return {"ada": ada, "cycle": cycle}


def test_the_domain_that_tracks_the_metric_is_named_with_its_interval(org) -> None:
    [row] = domain_tracking(org["ada"], org["cycle"], lag=0)
    assert row.closest == "Willingness to help"
    assert row.correlation is not None and row.correlation.n == 12
    assert row.correlation.pearson == pytest.approx(
        pearson([float(h) for h in HELP], [float(c) for c in CSAT])
    )
    assert row.sentence.startswith("Willingness to help tracks it most closely: ")
    assert "association, not proof of cause" in row.sentence


def test_the_unit_where_employees_and_customers_disagree_most_is_listed_first(org) -> None:
    [csat] = metrics()
    view = linked_view(org["ada"], org["cycle"], measure="help", metric=csat, lag=0)
    assert view.correlation.n == 12 and view.hidden == 1 and view.containing == 1
    assert "Team 13" not in {point.name for point in view.points}
    assert view.high_ex_low_cx[0].point.name == "Team 12"
    assert (view.high_ex_low_cx[0].survey_rank, view.high_ex_low_cx[0].customer_rank) == (12, 2)
    assert view.low_ex_high_cx and all(row.point.name != "Team 12" for row in view.low_ex_high_cx)


def test_with_no_domain_clear_of_zero_none_is_named(org) -> None:
    for i, value in enumerate(UNRELATED):
        MetricValue.objects.filter(team__name=f"Team {i + 1}").update(value=value)
    [row] = domain_tracking(org["ada"], org["cycle"], lag=0)
    assert (row.closest, row.sentence) == (None, "No domain is clearly associated with it.")


def test_a_tie_half_a_rank_apart_is_not_a_disagreement_and_lower_better_is_turned_round() -> None:
    minutes = MetricInfo("first_response", "First response", "minutes", "lower", "weighted_mean")
    points = [
        LinkedPoint(1, "Calm", survey=50, customer=30, volume=None, teams=1),
        LinkedPoint(2, "Busy", survey=50, customer=20, volume=None, teams=1),
        LinkedPoint(3, "Keen", survey=80, customer=10, volume=None, teams=1),
    ]
    # Fewer minutes is better: Keen is best on both, Calm and Busy tie on the survey.
    assert disagreements(points, minutes) == ([], [])
    points.append(LinkedPoint(4, "Proud", survey=90, customer=60, volume=None, teams=1))
    high_ex, low_ex = disagreements(points, minutes)
    assert [row.point.name for row in high_ex] == ["Proud"]
    assert [row.point.name for row in low_ex] == ["Busy", "Keen"]  # 1.5 and 1 ranks apart


def hide_one_domain_of(org: dict, name: str, hidden: Domain) -> None:
    """As a release leaves it when fewer than k answered one domain: that domain and the
    index (the mean of all four) hidden, the other domains shown."""
    unit = ReleasedUnit.objects.get(cycle=org["cycle"], unit__name=name)
    figures = unit.figures
    figures["index"] = None
    figures["domains"].pop(hidden.value)
    figures["hidden"] = {hidden.value: "too_few_responses"}
    ReleasedUnit.objects.filter(pk=unit.pk).update(figures=figures)


def test_a_row_resting_on_other_units_than_the_chart_says_how_many_and_why(org) -> None:
    hide_one_domain_of(org, "Team 5", Domain.INCLUSIVITY)
    [csat] = metrics()
    chart = linked_view(org["ada"], org["cycle"], measure="index", metric=csat, lag=0)
    assert chart.correlation.n == 11 and "Team 5" not in {p.name for p in chart.points}
    [row] = domain_tracking(org["ada"], org["cycle"], lag=0, chart=chart)
    assert row.closest == "Willingness to help"
    assert row.correlation is not None and row.units == row.correlation.n == 12
    assert row.differs == (
        "12 units, not the chart's 11. Team 5: counted here, not in the chart "
        "(its Psychological safety index is hidden)."
    )
    # Charted by the hidden domain itself, the chart lacks Team 5 and so does nothing else.
    by_inclusivity = linked_view(
        org["ada"], org["cycle"], measure="inclusivity", metric=csat, lag=0
    )
    [row] = domain_tracking(org["ada"], org["cycle"], lag=0, chart=by_inclusivity)
    assert row.differs.endswith(
        "Team 5: counted here, not in the chart (its Inclusivity score is hidden)."
    )
    by_help = linked_view(org["ada"], org["cycle"], measure="help", metric=csat, lag=0)
    [row] = domain_tracking(org["ada"], org["cycle"], lag=0, chart=by_help)
    assert row.differs == ""  # the same units as the chart: nothing to explain


def test_the_hr_page_gives_every_figure_its_units_and_explains_a_different_count(org) -> None:
    hide_one_domain_of(org, "Team 5", Domain.INCLUSIVITY)
    User.objects.filter(pk=org["ada"].pk).update(is_superuser=True)  # reads as HR
    client = Client()
    client.force_login(org["ada"])
    page = client.get(f"/hr/employees-and-customers/?cycle={org['cycle'].pk}&x=index&metric=csat")
    text = page.content.decode()
    assert page.status_code == 200
    assert "<dt>Units</dt><dd>11</dd>" in text
    assert "The 11 units of the chart ranked on both figures" in text
    assert '<th scope="col">Units</th>' in text and '<td data-label="Units">12</td>' in text
    assert "12 units, not the chart&#x27;s 11. Team 5: counted here, not in the chart" in text
