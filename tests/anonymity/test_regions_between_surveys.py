"""Two releases of a department and its team, subtracted before they are compared
(docs/anonymity.md, "Across surveys": "Trends do not isolate a joiner or a leaver").

Each release is compared with every earlier published group that overlaps it, one group
against one group. Within a survey the department's figure less its team's describes the
department's own people (at least k of them, the region rule); across surveys that difference
is never compared. When the team grows by five and the department's own people by one, each
published group changed by at least k, so both are shown finely, and the two differences
differ by the one joiner.

Ada's company: ten staff; Cleo leads Support, ten agents. Before November, five agents join
Support and one person joins the company's staff. Everyone else answers as before.
"""

from collections.abc import Iterable

import pytest

from pulse.disclosure import Suppression
from pulse.release import ENPS_ORIGIN, rounded
from teams.models import Person
from teams.team_tree import sync_teams
from tests.anonymity.test_across_surveys import (
    AGENT_ENPS,
    Sheet,
    agents_sheets,
    as_reader,
    run_survey,
)
from tests.org_builder import BuiltOrg, build_org

pytestmark = pytest.mark.django_db

STAFF_ENPS = (9, 7, 10, 4, 8, 6, 9, 7, 10, 8)
LEADS_ENPS = {"Ada Lovelace": 9, "Cleo Turner": 8}
JOINER_ENPS = 3  # a detractor: what the attack reads
ENPS_CLASSES = {-1: "detractor", 0: "passive", 1: "promoter"}


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


def october_sheets(org: BuiltOrg) -> dict[Person, Sheet]:
    sheets = agents_sheets(org)
    for person, enps in zip(org.reports_of("Ada Lovelace")[:10], STAFF_ENPS, strict=True):
        sheets[person] = Sheet(5, enps, None)
    for name, enps in LEADS_ENPS.items():
        sheets[org[name]] = Sheet(5, enps, None)
    return sheets


def net_promoters(shown: int, respondents: int, step: int) -> set[int]:
    """Every promoters-less-detractors count a shown eNPS over `respondents` can be (a release
    rounds half up, to -100 plus a multiple of its step: 1 when it is fine)."""
    return {
        net
        for net in range(-respondents, respondents + 1)
        if rounded(100 * net / respondents, step, origin=ENPS_ORIGIN) == shown
    }


def own_people_net(company: dict, support: dict) -> set[int]:
    """The company's own people's promoters less detractors: the company's less Support's."""
    return {
        whole - part
        for whole in net_promoters(company["enps"], company["enps_respondents"], enps_step(company))
        for part in net_promoters(support["enps"], support["enps_respondents"], enps_step(support))
    }


def enps_step(read: dict) -> int:
    # eNPS (-100 to 100) is shown in steps twice a coarse score's (pulse.trends).
    return 1 if read["precision"] == 1 else 2 * read["precision"]


def test_a_manager_reads_one_joiner_from_a_department_less_its_team_in_two_surveys(
    client, org
) -> None:
    sheets = october_sheets(org)
    october = run_survey(client, "October", sheets)

    cleo, ada = org["Cleo Turner"], org["Ada Lovelace"]
    new_agents = [
        Person.objects.create(
            employee_id=f"agent-new{i}",
            email=f"agent-new{i}@example.com",
            name=f"New Agent {i}",
            manager=cleo,
        )
        for i in range(5)
    ]
    joiner = Person.objects.create(
        employee_id="joiner", email="joiner@example.com", name="Jo Iner", manager=ada
    )
    sync_teams()
    november = run_survey(
        client,
        "November",
        {
            **sheets,
            **{
                agent: Sheet(5, enps, None)
                for agent, enps in zip(new_agents, AGENT_ENPS[:5], strict=True)
            },
            joiner: Sheet(5, JOINER_ENPS, None),
        },
    )

    reads = {
        (month, team): as_reader(ada, survey, team)
        for month, survey in (("october", october), ("november", november))
        for team in ("Company", "Support")
    }
    for read in reads.values():
        assert read["status"] == "released" and read["enps"] is not None, read
    before = own_people_net(reads[("october", "Company")], reads[("october", "Support")])
    after = own_people_net(reads[("november", "Company")], reads[("november", "Support")])
    possible = {b - a for a in before for b in after if b - a in ENPS_CLASSES}
    assert -1 in possible, "the attack is sound"
    # The promise: a joiner is bounded no better than the whole scale.
    assert possible == set(ENPS_CLASSES), (
        f"the joiner is a {' or '.join(ENPS_CLASSES[c] for c in sorted(possible))}, at "
        f"precision {reads[('november', 'Company')]['precision']} and "
        f"{reads[('november', 'Support')]['precision']}"
    )


def net_of(sheets: Iterable[Sheet]) -> int:
    """Promoters less detractors among these answer sheets (a skipped eNPS counts for none)."""
    scores = [sheet.enps for sheet in sheets if sheet.enps is not None]
    return sum(int(score >= 9) - int(score <= 6) for score in scores)


def withheld(read: dict) -> bool:
    """Is a read unit not shown because, beside earlier surveys' figures, it would describe a
    few people? An attack that needs its figures then has nothing to read."""
    words = str(Suppression.SINGLES_OUT_ACROSS_SURVEYS.label).split("{k}")[0]
    return read["status"] == "suppressed" and read["reason"].startswith(words)


def score_sum_bounds(
    signed: Iterable[tuple[dict, int]], domain: str, *, start: float = 0.0
) -> tuple[float, float]:
    """The least and most that the sum of sign x respondents x score over `signed` (a read
    unit and +1 or -1 each) can be, each shown score off by up to half its step."""
    low = high = start
    for read, sign in signed:
        figure, half = read["domains"][domain], read["precision"] / 2
        n = figure["respondents"]
        ends = ((figure["score"] - half) * n * sign, (figure["score"] + half) * n * sign)
        low, high = low + min(ends), high + max(ends)
    return low, high


def nets(read: dict) -> set[int]:
    """Every promoters-less-detractors count a read unit's shown eNPS can be."""
    return net_promoters(read["enps"], read["enps_respondents"], enps_step(read))


def enps_sheets(
    org: BuiltOrg, reports_enps: dict[str, tuple[int, ...]], leads_enps: dict[str, int]
) -> dict[Person, Sheet]:
    """Everyone answers 5 to every question; each manager's reports give the eNPS listed for
    that manager, in order, and each lead their own."""
    sheets: dict[Person, Sheet] = {}
    for manager, scores in reports_enps.items():
        reports = [p for p in org.reports_of(manager) if p.name not in leads_enps]
        for person, enps in zip(reports, scores, strict=True):
            sheets[person] = Sheet(5, enps, None)
    for name, enps in leads_enps.items():
        sheets[org[name]] = Sheet(5, enps, None)
    return sheets
