"""Across surveys, when releases do not come in the order of their closing times.

pulse/trends.py compares a release only with releases already published whose cycle's
`closes_at` is at or before its own. HR may close a survey before its window ends
(surveys.closing.close_now): `closed_at` moves, `closes_at` does not. So a survey launched a
moment later (a later `closes_at`) but closed early is released first, with nothing earlier to
compare with; the survey launched first is released after it, and is compared only with
releases closing at or before its own `closes_at`: not the one just published. Neither release
is coarsened, and they differ by one respondent.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from pulse.scheduler import run_pulse_tick
from surveys.closing import close_now
from surveys.instrument import SCALE_VALUES
from tests.anonymity.test_across_surveys import (
    agents_sheets,
    answer,
    as_reader,
    interval_of_one_more,
    launch_at,
    org,  # noqa: F401  (the fixture)
    rescaled,
)

pytestmark = pytest.mark.django_db


def test_one_more_respondent_cannot_be_read_when_the_later_survey_is_closed_first(
    client,
    org,  # noqa: F811
) -> None:
    moment = timezone.now()
    company_pulse = launch_at("Company pulse", moment)
    support_pulse = launch_at("Support pulse", moment + timedelta(minutes=1))
    assert company_pulse.cycle.closes_at < support_pulse.cycle.closes_at
    sheets = agents_sheets(org)
    agents = list(sheets)
    for agent in agents:  # all ten agents answer the company pulse
        answer(client, company_pulse, agent, sheets[agent])
    for agent in agents[:9]:  # Agent 10 skips the support pulse
        answer(client, support_pulse, agent, sheets[agent])
    # HR closes the support pulse early; it is released first.
    assert close_now(cycle_id=support_pulse.cycle.pk, actor=None)
    assert run_pulse_tick().released == [support_pulse.cycle.pk]
    assert close_now(cycle_id=company_pulse.cycle.pk, actor=None)
    assert run_pulse_tick().released == [company_pulse.cycle.pk]

    ten = as_reader(org["Ada Lovelace"], company_pulse, "Support")
    nine = as_reader(org["Ada Lovelace"], support_pulse, "Support")
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
        assert possible == set(SCALE_VALUES), (
            f"{domain}: Agent 10 answered one of {sorted(possible)} "
            f"(precision {nine['precision']} and {ten['precision']})"
        )
