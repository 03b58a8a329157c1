"""A person who answered in October and was then deleted from the org chart (docs/anonymity.md,
"Across surveys", "So a release that shares people with an earlier release in whole points is
itself in whole points only when everyone in it answered every statement it asked, and
everyone it holds was, in the earlier survey, inside a released group that everyone answered").

Whether an earlier group was answered by everyone is judged from its stored respondent count
against the people its survey invited, read from the invitations. Were a deleted person's
invitations deleted with them, while their answers stay in the released figures, a team where
Leo answered and Quinn did not would, once Leo is deleted, have as many respondents as
invitations left: it would look as if everyone answered, and Quinn among them. Deleting a
person who was ever invited erases them instead (teams.erasure): their invitations stay, so
October still counts six invited and five answers, and November is in steps.

Ben leads Team: Quinn, Leo and four analysts. In October Quinn is away and does not answer;
Leo does. Leo then leaves and HR deletes him. In November Quinn and the analysts answer, as
they did before. The two releases are the same invited people, everyone answered both times
(by the counts, were Leo's invitation gone): November would be in whole points, and November
less October Quinn's answer less Leo's, which someone holding the backups taken while October
was open knows to be theirs. When the two are far apart (Quinn a detractor who disagrees, Leo
a promoter who agrees) it says each one's.
"""

import pytest

from surveys.instrument import SCALE_VALUES
from teams.models import Person
from teams.services import delete_people
from tests.anonymity.test_across_surveys import Sheet, as_reader, rescaled, run_survey
from tests.anonymity.test_regions_between_surveys import ENPS_CLASSES, nets, score_sum_bounds
from tests.org_builder import BuiltOrg, build_org

pytestmark = pytest.mark.django_db

QUINN = Sheet(1, 2, None)  # what the attack reads: strongly disagrees, a detractor
LEO = Sheet(7, 10, None)  # strongly agrees, a promoter
ANALYSTS = [Sheet(v, e, None) for v, e in ((5, 8), (4, 9), (6, 7), (5, 10))]


@pytest.fixture
def org() -> BuiltOrg:
    return build_org(
        """
        Ada Lovelace (Company)
          6 staff
          Ben Carter (Team)
            Quinn Solo
            Leo Gone
            4 analysts
        """
    )


def test_a_manager_reads_a_non_answerer_once_an_answerer_is_deleted(client, org) -> None:
    quinn, leo = org["Quinn Solo"], org["Leo Gone"]
    analysts = [p for p in org.reports_of("Ben Carter") if p.name.startswith("Analyst")]
    sheets = {person: Sheet(5, 8, None) for person in org.everyone}
    sheets |= dict(zip(analysts, ANALYSTS, strict=True))
    sheets[leo] = LEO
    october = run_survey(client, "October", {p: s for p, s in sheets.items() if p != quinn})
    delete_people(people=Person.objects.filter(pk=leo.pk))
    sheets.pop(leo)
    sheets[quinn] = QUINN
    november = run_survey(client, "November", sheets)

    ben = org["Ben Carter"]
    oct_, nov = as_reader(ben, october, "Team"), as_reader(ben, november, "Team")
    for read in (oct_, nov):
        assert read["status"] == "released" and read["enps"] is not None, read
    assert [oct_["respondents"], nov["respondents"]] == [5, 5]

    # eNPS: November's net promoters less October's is Quinn's class less Leo's.
    classes = {
        b - a + leo_class
        for a in nets(oct_)
        for b in nets(nov)
        for leo_class in ENPS_CLASSES
        if b - a + leo_class in ENPS_CLASSES
    }
    assert -1 in classes, "the attack is sound"

    # A domain score the same way: Quinn's value less Leo's is 5 Nov - 5 Oct.
    domain = next(iter(oct_["domains"]))
    low, high = score_sum_bounds(((nov, 1), (oct_, -1)), domain)
    values = {
        v
        for v in SCALE_VALUES
        for w in SCALE_VALUES
        if low - 1e-9 <= rescaled(v) - rescaled(w) <= high + 1e-9
    }
    assert QUINN.value in values, "the attack is sound"

    # The promise: one person's answer is bounded no better than the whole scale.
    assert classes == set(ENPS_CLASSES) and values == set(SCALE_VALUES), (
        f"Quinn is a {' or '.join(ENPS_CLASSES[c] for c in sorted(classes))} and answered "
        f"{sorted(values)} on {domain}, at precisions {[oct_['precision'], nov['precision']]}"
    )
