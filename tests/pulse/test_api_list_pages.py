"""The API lists beside the results, read page by page as a script does: follow the Link
header's rel="next" until there is none. Five rows a page here, over a company of 2 x 12
teams. Nadia (HR) reads the follow-through list, the linked view and the customer values;
Hana (heads Department 1) reads the linked view of her department."""

import re

import pytest
from django.test import Client

from common.api_pages import ListPages
from customers.models import MetricValue
from pulse.release_models import ReleasedUnit
from surveys.models import Focus
from tests.support.released_company import released_company

pytestmark = pytest.mark.django_db
PER_PAGE = 5
NEXT = re.compile(r'<([^>]+)>; rel="next"')


@pytest.fixture(autouse=True)
def five_rows_a_page(monkeypatch) -> None:
    monkeypatch.setattr(ListPages, "page_size", PER_PAGE)


@pytest.fixture
def company() -> dict:
    return released_company(teams_per_department=12)


def every_page(client: Client, address: str) -> list:
    """The responses of every page, from `address` on through the Link header."""
    pages = []
    following: str | None = address
    while following:
        response = client.get(following)
        assert response.status_code == 200, (following, response.content[:300])
        pages.append(response)
        found = NEXT.search(response.headers.get("Link", ""))
        following = found[1] if found else None
    return pages


def shown_index(released: ReleasedUnit) -> int | None:
    return released.figures.get("index") if released.status == "released" else None


def test_hr_reads_the_whole_follow_through_list_page_by_page_lowest_index_first(company) -> None:
    nadia, cycle = company["clients"]["nadia"], company["cycle"]
    pages = every_page(nadia, f"/api/v1/follow-through/?cycle={cycle.pk}")
    assert len(pages) > 2 and all(len(page.json()) <= PER_PAGE for page in pages)
    assert 'rel="prev"' in pages[1].headers["Link"]
    rows = [row for page in pages for row in page.json()]
    units = [row["unit"] for row in rows]
    assert len(units) == len(set(units)), "a unit is listed twice"
    assert set(units) == set(
        ReleasedUnit.objects.filter(cycle=cycle).values_list("unit_id", flat=True)
    )
    # Lowest index first, units without one last: across pages, not just within one.
    indices = [row["index"] for row in rows]
    assert indices == sorted(indices, key=lambda index: (index is None, index or 0))
    assert all(row["focus"] == "conversation" and row["commitments"] for row in rows)
    assert nadia.get(f"/api/v1/follow-through/?cycle={cycle.pk}&page=99").status_code == 404
    csv_page = nadia.get(f"/api/v1/follow-through/?cycle={cycle.pk}&format=csv&page=2")
    assert csv_page.status_code == 200 and 'rel="next"' in csv_page.headers["Link"]
    assert "format=csv" in NEXT.search(csv_page.headers["Link"])[1]  # type: ignore[index]


def test_the_next_page_of_a_filtered_follow_through_list_keeps_the_filter(company) -> None:
    nadia, cycle = company["clients"]["nadia"], company["cycle"]
    released = list(ReleasedUnit.objects.filter(cycle=cycle))
    indices = sorted(index for r in released if (index := shown_index(r)) is not None)
    below = indices[len(indices) * 2 // 3]  # enough units below it for a few pages
    expected = {r.unit_id for r in released if (shown_index(r) or 999) < below}
    pages = every_page(nadia, f"/api/v1/follow-through/?cycle={cycle.pk}&below={below}")
    assert len(pages) > 1
    assert all(f"below={below}" in NEXT.search(p.headers["Link"])[1] for p in pages[:-1])  # type: ignore[index]
    units = [row["unit"] for page in pages for row in page.json()]
    assert len(units) == len(set(units)) and set(units) == expected


def test_units_without_a_focus_are_listed_page_by_page_once_they_are_overdue(company) -> None:
    nadia, cycle = company["clients"]["nadia"], company["cycle"]
    released = {
        r.unit_id: r for r in ReleasedUnit.objects.filter(cycle=cycle).select_related("unit")
    }
    without = sorted(released)[::2]
    Focus.objects.filter(
        cycle=cycle, team_id__in=[released[u].unit.team_id for u in without]
    ).delete()
    pages = every_page(nadia, f"/api/v1/follow-through/?cycle={cycle.pk}&without_focus_days=0")
    units = [row["unit"] for page in pages for row in page.json()]
    assert len(pages) > 1 and sorted(units) == without
    assert all(row["focus"] is None for page in pages for row in page.json())
    not_yet = nadia.get(f"/api/v1/follow-through/?cycle={cycle.pk}&without_focus_days=30")
    assert not_yet.json() == [] and "Link" not in not_yet.headers


def summary(page: dict) -> dict:
    return {key: value for key, value in page.items() if key != "points"}


def test_the_linked_view_pages_its_points_and_every_page_carries_the_same_correlation(
    company,
) -> None:
    nadia, cycle = company["clients"]["nadia"], company["cycle"]
    pages = [p.json() for p in every_page(nadia, f"/api/v1/cx/linked?cycle={cycle.pk}&metric=csat")]
    assert len(pages) > 2 and all(len(page["points"]) <= PER_PAGE for page in pages)
    assert all(summary(page) == summary(pages[0]) for page in pages)
    units = [point["unit"] for page in pages for point in page["points"]]
    assert len(units) == len(set(units)), "a unit is paired twice"
    # The correlation rests on every point, not on the page's five.
    assert pages[0]["correlation"]["n"] == len(units) > PER_PAGE
    names = [point["name"] for page in pages for point in page["points"]]
    assert names == sorted(names)


def test_a_department_heads_linked_pages_hold_only_her_departments_teams(company) -> None:
    hana, cycle = company["clients"]["hana"], company["cycle"]
    pages = [p.json() for p in every_page(hana, f"/api/v1/cx/linked?cycle={cycle.pk}&metric=csat")]
    names = [point["name"] for page in pages for point in page["points"]]
    assert len(pages) > 1 and len(names) == len(set(names)) > PER_PAGE
    assert all(name.startswith("Team 1.") for name in names)
    # Her department and its twelve teams: each a point, or counted as left out.
    first = pages[0]
    left_out = (
        first["hidden_by_anonymity_rules"]
        + first["without_customer_figures"]
        + first["containing_other_units"]
    )
    assert first["correlation"]["n"] == len(names) and len(names) + left_out == 13


def test_customer_values_are_read_page_by_page_with_their_filters(company) -> None:
    nadia, cycle = company["clients"]["nadia"], company["cycle"]
    address = f"/api/v1/cx/values?metric=csat&period={cycle.period}"
    pages = every_page(nadia, address)
    assert len(pages) > 2 and all(isinstance(page.json(), list) for page in pages)
    assert all(len(page.json()) <= PER_PAGE for page in pages)
    for page in pages[:-1]:
        following = NEXT.search(page.headers["Link"])[1]  # type: ignore[index]
        assert "metric=csat" in following and f"period={cycle.period}" in following
    teams = [row["team_id"] for page in pages for row in page.json()]
    assert len(teams) == len(set(teams))
    assert set(teams) == set(MetricValue.objects.values_list("team_id", flat=True))
    assert nadia.get(f"{address}&page=99").status_code == 404


@pytest.mark.parametrize(
    "path", ["/api/v1/follow-through/", "/api/v1/cx/linked/", "/api/v1/cx/values/"]
)
def test_the_schema_documents_the_pages_of_each_list(path: str) -> None:
    schema = Client().get("/api/schema/?format=json").json()
    operation = schema["paths"][path]["get"]
    assert "page" in {parameter["name"] for parameter in operation["parameters"]}
    assert "Link" in operation["responses"]["200"]["headers"]
    if path == "/api/v1/cx/values/":
        listed = operation["responses"]["200"]["content"]["application/json"]["schema"]
        if "$ref" in listed:
            listed = schema["components"]["schemas"][listed["$ref"].rsplit("/", 1)[1]]
        # The page itself, not wrapped in count and results.
        assert listed["type"] == "array"
        assert listed["items"] == {"$ref": "#/components/schemas/MetricValue"}
