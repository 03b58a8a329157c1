"""Two releases of one group, read by managers who joined it in between (docs/anonymity.md,
"Across surveys" and A2).

Within one survey the readers count against k: a figure is shown only when it describes at
least k people beyond the readers, and a team of four and its manager is hidden for that
reason. Across surveys the rule counts how many people changed, readers or not. When a team
of four moves under a department with its manager, the department changes by five people, so
its next release is shown in whole points; the manager knows her own answer, so the
difference of the two releases describes her four reports alone.

Ada's company: five staff; Cleo leads Support, ten agents. Before November, Nina joins the
company with her four reports (a team smaller than k, so counted in the company's cell).
"""

from statistics import fmean

import pytest

from surveys.instrument import SCALE_VALUES
from surveys.models import CycleItem
from teams.models import Person
from teams.team_tree import sync_teams
from tests.anonymity.test_across_surveys import (
    Sheet,
    agents_sheets,
    as_reader,
    rescaled,
    run_survey,
)
from tests.org_builder import BuiltOrg, build_org

pytestmark = pytest.mark.django_db

STAFF_VALUES = (5, 6, 4, 7, 5)
# Cleo and Ada answer too (each is a member of the company's own team).
LEADS_VALUES = {"Ada Lovelace": 6, "Cleo Turner": 5}
NINA_VALUE = 6  # Nina tells Ada what she answered
NEWCOMER_VALUE = 2  # what each of Nina's four reports answered: what the attack reads


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


def in_domain(value: int, domain: str, survey) -> float:
    """A person's domain score (0-100) who gave `value` to every question: reverse-scored
    questions count 8 - value."""
    items = CycleItem.objects.filter(cycle=survey.cycle, domain=domain)
    return fmean(rescaled(8 - value if item.reverse_scored else value) for item in items)


def everyone_but_newcomers(org: BuiltOrg) -> dict[Person, Sheet]:
    sheets = agents_sheets(org)
    for person, value in zip(org.reports_of("Ada Lovelace")[:5], STAFF_VALUES, strict=True):
        assert not person.name.startswith("Cleo")
        sheets[person] = Sheet(value, 8, None)
    for name, value in LEADS_VALUES.items():
        sheets[org[name]] = Sheet(value, 8, None)
    return sheets


def test_a_manager_who_moves_in_with_her_four_reports_reads_them_off_two_releases(
    client, org
) -> None:
    sheets = everyone_but_newcomers(org)
    october = run_survey(client, "October", sheets)

    nina = Person.objects.create(
        employee_id="nina", email="nina@example.com", name="Nina New", manager=org["Ada Lovelace"]
    )
    newcomers = [
        Person.objects.create(
            employee_id=f"new{i}", email=f"new{i}@example.com", name=f"New {i}", manager=nina
        )
        for i in range(4)
    ]
    sync_teams(team_names={"nina": "Newcomers"})
    november = run_survey(
        client,
        "November",
        {
            **sheets,
            nina: Sheet(NINA_VALUE, 8, None),
            **{person: Sheet(NEWCOMER_VALUE, 8, None) for person in newcomers},
        },
    )

    # Ada leads the company in both surveys; Nina tells her what she answered herself.
    before = as_reader(org["Ada Lovelace"], october, "Company")
    after = as_reader(org["Ada Lovelace"], november, "Company")
    n_before, n_after = before["respondents"], after["respondents"]
    assert n_after - n_before == 5, "Nina and her four reports answered in November"

    for domain, earlier in before["domains"].items():
        later = after["domains"][domain]
        step = after["precision"]
        # The four newcomers' sum: November's sum less October's, less Nina's own answer,
        # with each shown score off by up to half its step.
        slack = step / 2 * n_after + before["precision"] / 2 * n_before
        ninas = in_domain(NINA_VALUE, domain, november)
        rest = later["score"] * n_after - earlier["score"] * n_before - ninas
        low, high = (rest - slack) / 4, (rest + slack) / 4
        possible = {
            v for v in SCALE_VALUES if low - 1e-9 <= in_domain(v, domain, november) <= high + 1e-9
        }
        assert NEWCOMER_VALUE in possible, "the attack is sound"
        # The promise (as for k-1 joiners, pulse.trends): a difference describing fewer than k
        # people other than the readers is shown in steps so wide that it bounds their average
        # to no less than the width of the whole scale (0-100); at whole points it was one value.
        assert step > 1 and len(possible) > 1, f"{domain}: pinned to {sorted(possible)}"
        assert high - low >= 100 - 1e-9, (
            f"{domain}: Nina's four reports answered {sorted(possible)} on average, "
            f"at precision {step}"
        )
