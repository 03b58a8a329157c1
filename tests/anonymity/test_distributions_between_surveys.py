"""Two releases of a team five joiners apart, read from their stored answer counts
(docs/anonymity.md, "The thresholds": distributions, "how many people gave each answer to a
question", need 10; "Every combination of two surveys' figures").

Within a survey, a group's answer counts per statement are kept only when it has 10
respondents or more, and its region (its people less those of the groups below it that keep
theirs) is 0 or 10 or more: the counts of five people say which answers those five gave. Five
joiners are k: Support in October is its ten agents and five new ones, everyone answered both
times, the respondents are ten and fifteen, and no combination describes fewer than five, so
both releases are exact. Had both kept their answer counts, October's less September's would
be the five joiners' answers: Jo, one of them, answered one of the two values among them. So
the pair comparisons look for 1 to 9 people apart too, against an earlier release that kept
its answer counts, and October keeps none (pulse.trends, Comparison.answer_counts).

Ada's company: ten staff (so that the company's own people pass the threshold of 10 for
distributions); Cleo leads Support, ten agents. Five agents join Support before October.
Everyone answers both surveys, and as before. The insider holds the dump taken after each
release (A1).
"""

import pytest

from surveys.instrument import SCALE_VALUES
from teams.models import Person
from teams.team_tree import sync_teams
from tests.anonymity.test_across_surveys import Sheet, agents_sheets, run_survey
from tests.anonymity.test_large_groups_in_combinations import distribution, released_rows
from tests.org_builder import BuiltOrg, build_org

pytestmark = pytest.mark.django_db

JOINER_VALUES = (2, 3, 3, 2, 3)  # Jo is the first: what the attack narrows


@pytest.fixture
def org() -> BuiltOrg:
    return build_org(
        """
        Ada Lovelace (Company)
          10 staff
          Cleo Turner (Support)
            10 agents
        """
    )


def test_an_insider_reads_five_joiners_answer_counts_from_two_releases(client, org) -> None:
    sheets = {person: Sheet(5, 8, None) for person in org.everyone}
    sheets.update(agents_sheets(org))
    run_survey(client, "September", sheets)

    cleo = org["Cleo Turner"]
    joiners = [
        Person.objects.create(
            employee_id=f"joiner{i}",
            email=f"joiner{i}@example.com",
            name=f"Joiner {i}",
            manager=cleo,
        )
        for i in range(len(JOINER_VALUES))
    ]
    sync_teams()
    for joiner, value in zip(joiners, JOINER_VALUES, strict=True):
        sheets[joiner] = Sheet(value, 8, None)
    run_survey(client, "October", sheets)

    before, after = released_rows("Support")
    assert (before["respondents"], after["respondents"]) == (10, 15)
    assert before["precision"] == after["precision"] == 1
    key = next(iter(before["questions"]))
    counts_before, counts_after = distribution(before, key), distribution(after, key)
    # The promise, as the rules keep it: no answer counts to subtract.
    if counts_before is None or counts_after is None:
        return
    joiners_counts = [b - a for a, b in zip(counts_before, counts_after, strict=True)]
    assert sum(joiners_counts) == len(JOINER_VALUES), "the attack is sound"
    possible = {value for value, count in zip(SCALE_VALUES, joiners_counts, strict=True) if count}
    assert JOINER_VALUES[0] in possible, "the attack is sound"

    # The promise: one person's answer is bounded no better than the whole scale.
    assert possible == set(SCALE_VALUES), (
        f"Jo answered one of {sorted(possible)} to {key}: the five joiners' answer counts "
        f"are {joiners_counts}"
    )
