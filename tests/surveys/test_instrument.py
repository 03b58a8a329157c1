"""The shipped instrument: four domains, reverse-keyed items, a rotation that covers every item
each quarter, and wording a past cycle keeps even after HR edits the catalogue."""

from collections import Counter
from datetime import timedelta

import pytest
import time_machine

from surveys.instrument import Domain, ItemSpec, coverage_problems, select_items
from surveys.models import Item
from surveys.scheduler import run_tick
from tests.surveys.conftest import NOV_1_2026_0900_LONDON

pytestmark = pytest.mark.django_db


def catalogue() -> list[ItemSpec]:
    return [ItemSpec(i.key, i.domain, i.rotation_group) for i in Item.objects.filter(active=True)]


def test_the_full_set_has_at_least_three_items_per_domain_some_reverse_scored() -> None:
    per_domain = Counter(Item.objects.values_list("domain", flat=True))
    assert set(per_domain) == set(Domain.values)
    assert min(per_domain.values()) >= 3
    reversed_domains = set(
        Item.objects.filter(reverse_scored=True).values_list("domain", flat=True)
    )
    assert len(reversed_domains) >= 2
    assert coverage_problems(catalogue()) == []


@pytest.mark.parametrize("first_month", [1, 4, 7, 10])
def test_three_monthly_pulses_ask_every_item_once_and_every_domain_each_month(first_month) -> None:
    asked: Counter[str] = Counter()
    for month in range(first_month, first_month + 3):
        chosen = select_items(catalogue(), kind="monthly", month=month)
        assert {item.domain for item in chosen} == set(Domain.values)
        assert any(Item.objects.get(key=item.key).reverse_scored for item in chosen)
        asked.update(item.key for item in chosen)
    assert asked == Counter({key: 1 for key in Item.objects.values_list("key", flat=True)})


def test_the_quarterly_survey_asks_the_whole_set() -> None:
    chosen = select_items(catalogue(), kind="quarterly", month=11)
    assert len(chosen) == Item.objects.count()


def test_a_catalogue_that_leaves_a_domain_out_of_a_month_is_reported() -> None:
    Item.objects.filter(domain="help", rotation_group=2).update(active=False)
    problems = coverage_problems(catalogue())
    assert any("Willingness to help" in p and "group 2" in p for p in problems)


def test_a_past_cycle_keeps_the_wording_it_asked_after_hr_edits_the_item(
    org, monthly, admin_client
) -> None:
    with time_machine.travel(NOV_1_2026_0900_LONDON, tick=False):
        run_tick()
    cycle_item = monthly.cycles.get().items.get(domain="risk")
    original = cycle_item.text
    item = Item.objects.get(key=cycle_item.key)
    form = {
        "key": item.key,
        "domain": item.domain,
        "text": "Trying a new way of working is welcome here, even if it fails.",
        "rotation_group": item.rotation_group,
        "active": "on",
    }
    if item.reverse_scored:
        form["reverse_scored"] = "on"
    response = admin_client.post(f"/admin/surveys/item/{item.pk}/change/", form)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.version == 2
    cycle_item.refresh_from_db()
    assert (cycle_item.text, cycle_item.item_version) == (original, 1)
    # November asks rotation group 2; so does February, which asks the new wording.
    with time_machine.travel(NOV_1_2026_0900_LONDON + timedelta(days=92), tick=False):
        run_tick()
    february = monthly.cycles.get(period="2027-02")
    assert february.items.get(key=item.key).text.startswith("Trying a new way")
    assert february.items.get(key=item.key).item_version == 2
