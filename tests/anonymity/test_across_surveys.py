"""Two releases of the same team, read side by side (docs/anonymity.md, "Across surveys").

When a team's invited people or its number of respondents changed by 1 to k - 1, its later
figures are shown in steps wide enough that the difference of the two releases bounds the few
changed people's answers "no better than to an interval as wide as the whole scale". These
attacks look for what the rule does not compare, and for what a release stores finer than it
shows.

Ada's company: five staff; Cleo leads Support, ten agents. Where Cleo shared a focus after an
earlier pulse, both surveys ask Support the follow-through item.
"""

import math
from dataclasses import dataclass
from datetime import datetime

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.utils import timezone

from pulse.scheduler import run_pulse_tick
from surveys.closing import close_cycle
from surveys.instrument import FOLLOW_THROUGH_KEY, SCALE_VALUES
from surveys.launch import launch_now
from surveys.models import Cadence
from surveys.scheduler import run_tick
from teams.models import Person
from teams.team_tree import sync_teams
from tests.anonymity.conftest import Survey, emailed_links
from tests.anonymity.insider import json_value, take_dump
from tests.focus_setup import focus_for, launch_survey
from tests.org_builder import BuiltOrg, build_org

pytestmark = pytest.mark.django_db

# What each agent answers, the same in both surveys: one value for every item of the survey.
AGENT_VALUES = (6, 5, 7, 4, 6, 5, 3, 6, 7, 5)
AGENT_ENPS = (9, 10, 6, 8, 9, 3, 7, 10, 5, 9)
AGENT_FOLLOW_THROUGH = (2, 6, 3, 7, 4, 5, 1, 6, 2, 5)


@pytest.fixture
def org() -> BuiltOrg:
    return build_org(
        """
        Ada Lovelace (Company)
          5 staff
          Cleo Turner (Support)
            10 agents
        """
    )


@dataclass(frozen=True)
class Sheet:
    value: int
    enps: int | None
    follow_through: int | None


def answer(client: Client, survey: Survey, person: Person, sheet: Sheet) -> None:
    token = survey.token(person.email)
    keys = [q["key"] for q in client.get(f"/api/v1/pulse/{token}").json()["questions"]]
    answers = {key: sheet.value for key in keys if key != FOLLOW_THROUGH_KEY}
    if sheet.follow_through is not None and FOLLOW_THROUGH_KEY in keys:
        answers[FOLLOW_THROUGH_KEY] = sheet.follow_through
    response = client.post(
        f"/api/v1/pulse/{token}",
        {"answers": answers, "enps": sheet.enps},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content


def run_survey(client: Client, name: str, sheets: dict[Person, Sheet]) -> Survey:
    mail.outbox.clear()
    survey = launch_survey(name)
    for person, sheet in sheets.items():
        answer(client, survey, person, sheet)
    close_cycle(cycle_id=survey.cycle.pk)
    assert survey.cycle.pk in run_pulse_tick().released
    return survey


def agents_sheets(org: BuiltOrg) -> dict[Person, Sheet]:
    agents = org.reports_of("Cleo Turner")
    return {
        agent: Sheet(value, enps, follow_through)
        for agent, value, enps, follow_through in zip(
            agents, AGENT_VALUES, AGENT_ENPS, AGENT_FOLLOW_THROUGH, strict=True
        )
    }


def support_as_cleo_reads_it(org: BuiltOrg, survey: Survey) -> dict:
    """What Cleo's results API answers about Support: the manager's own view."""
    cleo = org["Cleo Turner"]
    if cleo.user is None:
        cleo.user = User.objects.create_user(cleo.email, cleo.email, "pw")
        cleo.save(update_fields=["user"])
    client = Client()
    client.force_login(cleo.user)
    response = client.get(f"/api/v1/results?cycle={survey.cycle.pk}")
    assert response.status_code == 200, response.content
    return next(unit for unit in response.json() if unit["name"] == "Support")


def rescaled(value: int) -> float:
    return (value - 1) / 6 * 100


def interval_of_one_more(
    *, before: tuple[int, int], after: tuple[int, int], step: int = 1, rest_step: int | None = None
) -> tuple[float, float]:
    """(score, respondents) of a 0-100 mean over n + 1 people, then over the same n without
    the one: where that one's value (0-100) can lie, given the pages' rounding (`step` for the
    first figure, `rest_step` for the second, the same unless given)."""
    (score_all, n_all), (score_rest, n_rest) = before, after
    half, rest_half = step / 2, (step if rest_step is None else rest_step) / 2
    low = (score_all - half) * n_all - (score_rest + rest_half) * n_rest
    high = (score_all + half) * n_all - (score_rest - rest_half) * n_rest
    return low, high


def shown_as(value: float, step: int) -> int:
    """A figure as a release rounds it: half up, to a multiple of `step`."""
    return int(math.floor(value / step + 0.5) * step)


def counts_behind(shown: int, *, n: int, step: int, low: int = 0) -> set[int]:
    """Every whole count c (low..n) whose share 100 c / n a release would show as `shown`."""
    return {c for c in range(low, n + 1) if shown_as(100 * c / n, step) == shown}


# --- A2: a figure's own count changes, the respondents do not ------------------------------


def test_one_agent_skipping_the_follow_through_item_cannot_be_read_from_two_releases(
    client, org
) -> None:
    focus_for(org.team("Support"))
    sheets = agents_sheets(org)
    october = run_survey(client, "October", sheets)
    skipper = org.reports_of("Cleo Turner")[0]
    november_sheets = dict(sheets)
    november_sheets[skipper] = Sheet(sheets[skipper].value, sheets[skipper].enps, None)
    november = run_survey(client, "November", november_sheets)

    before = support_as_cleo_reads_it(org, october)
    after = support_as_cleo_reads_it(org, november)
    # The rule saw nothing change: ten of the same ten people answered both surveys.
    assert before["respondents"] == after["respondents"] == 10
    ft_before, ft_after = before["follow_through"], after["follow_through"]
    assert (ft_before["respondents"], ft_after["respondents"]) == (10, 9)

    # Cleo's arithmetic, assuming her agents answered as before (the assumption the rule
    # itself is built against), at whatever precision each release was published.
    step_before, step_after = before["precision"], after["precision"]
    low, high = interval_of_one_more(
        before=(ft_before["score"], 10),
        after=(ft_after["score"], 9),
        step=step_before,
        rest_step=step_after,
    )
    favourable_before = counts_behind(ft_before["favorable"], n=10, step=step_before)
    favourable_after = counts_behind(ft_after["favorable"], n=9, step=step_after)
    skipper_favourable = {
        all_ten - other_nine == 1
        for all_ten in favourable_before
        for other_nine in favourable_after
        if all_ten - other_nine in (0, 1)
    }
    possible = {
        value
        for value in SCALE_VALUES
        if low - 1e-9 <= rescaled(value) <= high + 1e-9 and (value >= 5) in skipper_favourable
    }
    assert sheets[skipper].follow_through in possible, "the attack is sound"
    # The promise: the two releases bound the one changed answer no better than the scale.
    assert possible == set(SCALE_VALUES), (
        f"the skipper answered one of {sorted(possible)}, from two releases"
    )


def test_one_agent_skipping_the_enps_question_cannot_be_read_from_two_releases(client, org) -> None:
    sheets = agents_sheets(org)
    october = run_survey(client, "October", sheets)
    skipper = org.reports_of("Cleo Turner")[2]  # a detractor: eNPS 6
    november_sheets = dict(sheets)
    november_sheets[skipper] = Sheet(sheets[skipper].value, None, sheets[skipper].follow_through)
    november = run_survey(client, "November", november_sheets)

    before = support_as_cleo_reads_it(org, october)
    after = support_as_cleo_reads_it(org, november)
    assert before["respondents"] == after["respondents"] == 10
    assert (before["enps_respondents"], after["enps_respondents"]) == (10, 9)

    # Promoters minus detractors: eNPS is 100 (p - d) / n, shown in steps of twice the
    # release's precision (whole points at precision 1, where it is exact).
    nets_before = counts_behind(before["enps"], n=10, step=2 * before["precision"], low=-10)
    nets_after = counts_behind(after["enps"], n=9, step=2 * after["precision"], low=-9)
    classes = {1: "promoter", 0: "passive", -1: "detractor"}
    read = {
        classes[all_ten - other_nine]
        for all_ten in nets_before
        for other_nine in nets_after
        if all_ten - other_nine in classes
    }
    assert "detractor" in read, "the attack is sound"
    # The promise (eNPS "in steps twice as wide", so that one person's class stays open).
    assert read == set(classes.values()), f"the skipper is a {' or '.join(sorted(read))}"


# --- A1: what a release stores finer than the pages ----------------------------------------


def released_support_rows() -> list[dict]:
    """The insider's dump: Support's released figures, oldest survey first."""
    dump = take_dump()
    support_units = {
        row["id"] for row in dump.rows("surveys_cycleteam") if row["name"] == "Support"
    }
    closes_at = {row["id"]: row["closes_at"] for row in dump.rows("surveys_cycle")}
    rows = [row for row in dump.rows("pulse_releasedunit") if row["unit_id"] in support_units]
    rows.sort(key=lambda row: closes_at[row["cycle_id"]])
    return [json_value(row["figures"]) for row in rows]


def test_a_joiner_cannot_be_read_through_the_coarse_steps_from_the_stored_releases(
    client, org
) -> None:
    sheets = agents_sheets(org)
    run_survey(client, "October", sheets)
    joiner = Person.objects.create(
        employee_id="joiner",
        email="joiner@example.com",
        name="Jo Iner",
        manager=org["Cleo Turner"],
    )
    sync_teams()
    run_survey(client, "November", {**sheets, joiner: Sheet(2, 8, None)})

    before, after = released_support_rows()
    assert after["precision"] == 50, "the later release is coarse: the joiner is to be hidden"
    for domain, figure in after["domains"].items():
        earlier = before["domains"][domain]
        n = earlier["respondents"]
        assert figure["respondents"] == n + 1
        possible = {
            value
            for value in SCALE_VALUES
            if joiner_fits(
                rescaled(value),
                before=earlier,
                after=figure,
                precisions=(before["precision"], after["precision"]),
            )
        }
        assert 2 in possible, "the attack is sound"
        assert possible == set(SCALE_VALUES), (
            f"{domain}: the joiner answered one of {sorted(possible)}"
        )


def stored_interval(value: float, precision: int) -> tuple[float, float]:
    """Where a stored figure's true value lies, read as finely as the number allows: a
    multiple of the release's precision was rounded to it (half a step either way), another
    whole number to a whole point; anything else is taken as exact."""
    if not float(value).is_integer():
        return value - 1e-6, value + 1e-6
    half = precision / 2 if value % precision == 0 else 0.5
    return value - half, value + half


def joiner_fits(joiner: float, *, before: dict, after: dict, precisions: tuple[int, int]) -> bool:
    """Could one more respondent with this domain value J (0-100) have turned `before` (over n)
    into `after` (over n + 1)? Both scores must fit, and, where both releases store a spread,
    both spreads: (n - 1) s1² = Q - S²/n and n s2² = Q + J² - (S + J)²/(n + 1), so
    (m1 - J)² = (n + 1) / n (n s2² - (n - 1) s1²), with m1 = S / n the old mean."""
    n = before["respondents"]
    old_low, old_high = stored_interval(before["score"], precisions[0])
    new_low, new_high = stored_interval(after["score"], precisions[1])
    # The old means that both scores allow: m1 itself, and (n m1 + J) / (n + 1).
    low = max(old_low, ((n + 1) * new_low - joiner) / n)
    high = min(old_high, ((n + 1) * new_high - joiner) / n)
    if "spread" not in before or "spread" not in after:
        return low <= high + 1e-9
    s1_low, s1_high = stored_interval(before["spread"], precisions[0])
    s2_low, s2_high = stored_interval(after["spread"], precisions[1])
    growth_low = n * max(s2_low, 0.0) ** 2 - (n - 1) * s1_high**2
    growth_high = n * s2_high**2 - (n - 1) * max(s1_low, 0.0) ** 2
    if growth_high < 0:
        return False
    near = math.sqrt(max(growth_low, 0.0) * (n + 1) / n)
    far = math.sqrt(growth_high * (n + 1) / n)
    # m1 lies between `near` and `far` from J, on either side.
    return any(
        max(low, side_low) <= min(high, side_high) + 1e-6
        for side_low, side_high in ((joiner - far, joiner - near), (joiner + near, joiner + far))
    )


# --- A2: the same people under a new team ---------------------------------------------------


def as_reader(person: Person, survey: Survey, team: str) -> dict:
    if person.user is None:
        person.user = User.objects.create_user(person.email, person.email, "pw")
        person.save(update_fields=["user"])
    client = Client()
    client.force_login(person.user)
    response = client.get(f"/api/v1/results?cycle={survey.cycle.pk}")
    assert response.status_code == 200, response.content
    return next(unit for unit in response.json() if unit["name"] == team)


def test_a_joiner_cannot_be_read_by_comparing_a_team_before_and_after_its_new_manager(
    client, org
) -> None:
    sheets = agents_sheets(org)
    october = run_survey(client, "October", sheets)
    # Cleo moves on; Dora takes over her ten agents, and hires Jo.
    cleo = org["Cleo Turner"]
    Person.objects.filter(pk=cleo.pk).update(active=False)
    dora = Person.objects.create(
        employee_id="dora", email="dora@example.com", name="Dora New", manager=org["Ada Lovelace"]
    )
    Person.objects.filter(manager=cleo).update(manager=dora)
    jo = Person.objects.create(
        employee_id="jo", email="jo@example.com", name="Jo Iner", manager=dora
    )
    sync_teams(team_names={"dora": "Support"})
    november = run_survey(client, "November", {**sheets, jo: Sheet(2, 3, None)})

    # Ada, who leads the company, reads Support in both surveys.
    before = as_reader(org["Ada Lovelace"], october, "Support")
    after = as_reader(org["Ada Lovelace"], november, "Support")
    assert (before["respondents"], after["respondents"]) == (10, 11)
    domain, earlier = next(iter(before["domains"].items()))
    later = after["domains"][domain]
    low, high = interval_of_one_more(
        before=(later["score"], 11), after=(earlier["score"], 10), step=after["precision"]
    )
    possible = {value for value in SCALE_VALUES if low - 1e-9 <= rescaled(value) <= high + 1e-9}
    assert 2 in possible, "the attack is sound"
    # The promise: one joiner's answers are bounded no better than the whole scale.
    assert possible == set(SCALE_VALUES), (
        f"{domain}: the joiner answered one of {sorted(possible)}, at precision "
        f"{after['precision']}"
    )


# --- A2: two surveys that close at the same moment -----------------------------------------


def launch_at(name: str, moment: datetime) -> Survey:
    mail.outbox.clear()
    cycle = launch_now(cadence=Cadence.objects.create(name=name, kind="monthly"), now=moment)
    run_tick()
    return Survey(cycle=cycle, links=emailed_links())


def test_one_more_respondent_cannot_be_read_from_two_surveys_that_close_together(
    client, org
) -> None:
    moment = timezone.now()
    company_pulse = launch_at("Company pulse", moment)
    support_pulse = launch_at("Support pulse", moment)
    assert company_pulse.cycle.closes_at == support_pulse.cycle.closes_at
    sheets = agents_sheets(org)
    agents = list(sheets)
    for agent in agents[:9]:
        answer(client, company_pulse, agent, sheets[agent])
    for agent in agents:  # one more, Agent 10, answers this one
        answer(client, support_pulse, agent, sheets[agent])
    for survey in (company_pulse, support_pulse):
        close_cycle(cycle_id=survey.cycle.pk)
    assert set(run_pulse_tick().released) == {company_pulse.cycle.pk, support_pulse.cycle.pk}

    nine = as_reader(org["Ada Lovelace"], company_pulse, "Support")
    ten = as_reader(org["Ada Lovelace"], support_pulse, "Support")
    assert (nine["respondents"], ten["respondents"]) == (9, 10)
    extra = sheets[agents[9]].value
    for domain, fewer in nine["domains"].items():
        more = ten["domains"][domain]
        low, high = interval_of_one_more(
            before=(more["score"], 10),
            after=(fewer["score"], 9),
            step=max(nine["precision"], ten["precision"]),
        )
        possible = {value for value in SCALE_VALUES if low - 1e-9 <= rescaled(value) <= high + 1e-9}
        assert extra in possible, "the attack is sound"
        # The promise: one changed respondent is bounded no better than the whole scale.
        assert possible == set(SCALE_VALUES), (
            f"{domain}: Agent 10 answered one of {sorted(possible)}"
        )
