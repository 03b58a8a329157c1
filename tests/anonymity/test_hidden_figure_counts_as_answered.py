"""A team whose eNPS was hidden in October, because one of its people left it blank, shown again
in November (docs/anonymity.md, "Across surveys", "So a release that shares people with an
earlier release in whole points is itself in whole points only when everyone in it answered
every statement it asked, and everyone it holds was, in the earlier survey, inside a released
group that everyone answered, every statement, with nothing hidden").

A hidden figure stores no count, so by its counts alone a team whose eNPS is hidden because
only four of its five people answered it would look as if everyone answered everything, while
the four answers are still counted in the company's eNPS.

Ada's company: Dana leads Staff (six staff), Ben leads Vista (Quinn and four designers), Cleo
leads Union (five agents and Rita, who is HR); five aides work for Ada. In October Quinn leaves
eNPS blank, so Vista's eNPS is hidden (four answers); Rita leaves it blank too, so Union's is
hidden (five answers, one of them maybe a reader's); so do the aides. The company's eNPS counts
the four designers and the five agents beyond Staff, so it is shown. In November everyone
answers everything. The managers and Rita know their own answers; with Vista and Union in
whole points in November, Vista + Union less the company less Staff in October, less their
own, would be Quinn's eNPS. A release naming a hidden figure does not count as answered by
everyone (pulse.trends.units_with_unsure_answerers), so Vista and Union come coarser and the
attack finds nothing.
"""

import pytest

from tests.anonymity.test_across_surveys import Sheet, as_reader, run_survey
from tests.anonymity.test_regions_between_surveys import ENPS_CLASSES, nets
from tests.anonymity.test_union_of_regions_with_former_hr import made_hr
from tests.org_builder import BuiltOrg, build_org

pytestmark = pytest.mark.django_db

QUINN = Sheet(4, 3, None)  # what the attack reads: a detractor
DESIGNERS_ENPS = (9, 10, 7, 9)
AGENTS_ENPS = (10, 6, 9, 8, 10)
STAFF_ENPS = (9, 7, 10, 5, 8, 9)
OTHERS = Sheet(5, 8, None)  # the four managers, the aides and Rita


@pytest.fixture
def org() -> BuiltOrg:
    return build_org(
        """
        Ada Lovelace (Company)
          5 aides
          Dana Reed (Staff)
            6 staff
          Ben Carter (Vista)
            Quinn Solo
            4 designers
          Cleo Turner (Union)
            5 agents
            Rita Hale
        """
    )


def net(scores) -> int:
    return sum(int(score >= 9) - int(score <= 6) for score in scores)


def test_a_team_whose_enps_was_hidden_for_one_blank_is_shown_coarser_after(client, org) -> None:
    quinn, rita = org["Quinn Solo"], org["Rita Hale"]
    designers = [p for p in org.reports_of("Ben Carter") if p != quinn]
    agents = [p for p in org.reports_of("Cleo Turner") if p != rita]
    staff = org.reports_of("Dana Reed")
    managers = [org[name] for name in ("Ada Lovelace", "Dana Reed", "Ben Carter", "Cleo Turner")]
    aides = [p for p in org.reports_of("Ada Lovelace") if p.name.startswith("Aide")]
    made_hr([rita])
    sheets = {person: OTHERS for person in org.everyone}
    sheets |= {p: Sheet(5, e, None) for p, e in zip(designers, DESIGNERS_ENPS, strict=True)}
    sheets |= {p: Sheet(6, e, None) for p, e in zip(agents, AGENTS_ENPS, strict=True)}
    sheets |= {p: Sheet(4, e, None) for p, e in zip(staff, STAFF_ENPS, strict=True)}
    sheets[quinn] = QUINN
    october_sheets = {
        p: Sheet(s.value, None, None) if p in (quinn, rita, *aides) else s
        for p, s in sheets.items()
    }

    october = run_survey(client, "October", october_sheets)
    november = run_survey(client, "November", sheets)

    ada = org["Ada Lovelace"]
    read = {
        (month, team): as_reader(ada, survey, team)
        for month, survey in (("october", october), ("november", november))
        for team in ("Company", "Staff", "Vista", "Union")
    }
    assert read[("october", "Vista")]["enps"] is None, "Quinn left it blank: hidden"
    assert read[("october", "Union")]["enps"] is None, "five answers, one maybe Rita's: hidden"
    for key in (
        ("october", "Company"),
        ("october", "Staff"),
        *(("november", t) for t in ("Vista", "Union")),
    ):
        assert read[key]["status"] == "released" and read[key]["enps"] is not None, read[key]
    assert read[("october", "Company")]["enps_respondents"] == 19

    # What the colluders answered themselves (Rita left it blank in October).
    own_october = net(sheets[p].enps for p in managers)
    rita_november = net([sheets[rita].enps])
    # Quinn = Vista + Union in November - Rita - (Company - Staff in October - the managers).
    classes = {
        total
        for a in nets(read[("november", "Vista")])
        for b in nets(read[("november", "Union")])
        for c in nets(read[("october", "Company")])
        for d in nets(read[("october", "Staff")])
        if (total := a + b - rita_november - (c - d - own_october)) in ENPS_CLASSES
    }
    assert -1 in classes, "the attack is sound"
    assert read[("november", "Vista")]["precision"] > 1, "Vista's eNPS was hidden in October"
    assert read[("november", "Union")]["precision"] > 1, "Union's eNPS was hidden in October"
    # The promise: one person's answer is bounded no better than the whole scale.
    assert classes == set(ENPS_CLASSES), (
        f"Quinn is a {' or '.join(ENPS_CLASSES[c] for c in sorted(classes))}, at precisions "
        f"{ {key: r['precision'] for key, r in read.items()} }"
    )
