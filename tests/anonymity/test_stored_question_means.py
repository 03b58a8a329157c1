"""Two stored releases of a small team, one joiner apart, read by their questions' means
(docs/anonymity.md, "Across surveys", and pulse.release.unit_figures).

A coarse release rounds its scores to its step (100 points for six respondents). Were it to
store each question's mean on the 1-7 scale rounded to a whole answer beside a fine release's
mean to a tenth (over five people, their exact sum), the six possible sums would leave the
joiner's answer to each question one of at most six values, fewer near an end of the scale:
never the whole scale. So a coarse release stores no question mean.

Ada's company: five staff; Cleo leads Support, five agents who all strongly disagree. Jo joins
Support before November, and strongly disagrees too. The insider holds the dump taken after
each release (A1), and the org chart, which says Jo joined.
"""

import pytest

from surveys.instrument import SCALE_VALUES
from teams.models import Person
from teams.team_tree import sync_teams
from tests.anonymity.test_across_surveys import Sheet, released_support_rows, run_survey
from tests.org_builder import BuiltOrg, build_org

pytestmark = pytest.mark.django_db

AGENTS_ANSWER = 1
JO_ANSWERS = 1  # what the attack reads


@pytest.fixture
def org() -> BuiltOrg:
    return build_org(
        """
        Ada Lovelace (Company)
          5 staff
          Cleo Turner (Support)
            5 agents
        """
    )


def sums_behind(mean: float | None, *, respondents: int, decimals: int) -> set[int]:
    """Every whole sum of `respondents` keyed answers (1 to 7) whose mean rounds to the stored
    one, as the release rounds it."""
    every = range(respondents * min(SCALE_VALUES), respondents * max(SCALE_VALUES) + 1)
    if mean is None:  # not stored: every sum is possible
        return set(every)
    return {total for total in every if round(total / respondents, decimals) == mean}


def test_an_insider_narrows_a_joiners_answers_from_two_stored_question_means(client, org) -> None:
    sheets = {person: Sheet(5, 8, None) for person in org.everyone}
    for agent in org.reports_of("Cleo Turner"):
        sheets[agent] = Sheet(AGENTS_ANSWER, 5, None)
    run_survey(client, "October", sheets)
    jo = Person.objects.create(
        employee_id="jo", email="jo@example.com", name="Jo Iner", manager=org["Cleo Turner"]
    )
    sync_teams()
    november = run_survey(client, "November", {**sheets, jo: Sheet(JO_ANSWERS, 5, None)})
    # The instrument is public: a reverse-worded statement's mean is of 8 less the answers.
    reversed_keys = {item.key for item in november.cycle.items.all() if item.reverse_scored}

    before, after = released_support_rows()
    assert after["precision"] == 100, "the later release is coarse: Jo is to be hidden"
    read = {}
    for key, question in after["questions"].items():
        earlier = before["questions"][key]
        assert question["status"] == earlier["status"] == "released"
        n = earlier["respondents"]
        assert question["respondents"] == n + 1
        then = sums_behind(earlier["mean"], respondents=n, decimals=1)
        now = sums_behind(question["mean"], respondents=n + 1, decimals=0)
        keyed = {b - a for a in then for b in now if b - a in SCALE_VALUES}
        read[key] = {8 - value for value in keyed} if key in reversed_keys else keyed
    assert read, "Support's questions are released"
    assert all(JO_ANSWERS in values for values in read.values()), "the attack is sound"
    # The promise: one person's answer is bounded no better than the whole scale.
    pinned = {key: sorted(values) for key, values in read.items() if values != set(SCALE_VALUES)}
    assert not pinned, f"Jo answered, statement by statement: {pinned}"
