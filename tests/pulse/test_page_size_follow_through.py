"""HR's follow-through page, five units a page here, and its CSV, on the released company of
two departments of twelve teams (tests.support.released_company): Nadia (HR) pages through the
list, keeps her filters and her search from page to page, finds a team by its manager's name,
and downloads every unit that matches, however many pages they fill."""

import csv
import io
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pulse import follow_through, results
from tests.support.released_company import released_company

pytestmark = pytest.mark.django_db
PER_PAGE = 5
UNIT_NAME = re.compile(r'<th scope="row"><a href="[^"]*">([^<]+)</a>')
NEXT_PAGE = re.compile(r'<a rel="next" href="\?([^"]+)">Next units')
# The CSV's columns, as HR's spreadsheets have always read them.
COLUMNS = [
    "unit",
    "index",
    "focus",
    "shared",
    "commitments",
    "commitments done",
    "follow-through",
    "follow-through survey",
    "focus domain since",
]


@pytest.fixture(autouse=True)
def five_units_a_page(monkeypatch) -> None:
    monkeypatch.setattr(results, "UNITS_PER_PAGE", PER_PAGE)
    monkeypatch.setattr(follow_through, "CSV_BATCH", PER_PAGE)


@pytest.fixture
def company() -> dict:
    return released_company(teams_per_department=12)


def pages(company: dict, query: str) -> list[str]:
    """Every page of the list from the first, following "Next units": the body of each."""
    nadia, found = company["clients"]["nadia"], []
    address: str | None = f"/hr/follow-through/?cycle={company['cycle'].pk}&{query}"
    while address:
        response = nadia.get(address)
        assert response.status_code == 200, address
        found.append(response.content.decode())
        following = NEXT_PAGE.search(found[-1])
        address = "/hr/follow-through/?" + unescape(following[1]) if following else None
    return found


def csv_rows(company: dict, query: str) -> list[list[str]]:
    response = company["clients"]["nadia"].get(
        f"/hr/follow-through/?cycle={company['cycle'].pk}&{query}&format=csv"
    )
    assert response.status_code == 200 and response.streaming
    return list(csv.reader(io.StringIO(response.getvalue().decode())))


def test_page_two_shows_the_next_units_and_the_pages_cover_the_list_once(company) -> None:
    every = [row[0] for row in csv_rows(company, "")[1:]]
    assert len(every) == 27  # the company, two departments, twenty-four teams
    shown = pages(company, "")
    assert len(shown) == 6
    assert UNIT_NAME.findall(shown[1]) == every[5:10]
    assert "Units 6\N{EN DASH}10 of 27" in shown[1] and 'rel="prev"' in shown[1]
    assert [name for page in shown for name in UNIT_NAME.findall(page)] == every
    assert "Units 26\N{EN DASH}27 of 27" in shown[-1] and 'rel="next"' not in shown[-1]


def test_the_filters_and_the_search_are_kept_from_page_to_page(company) -> None:
    indexes = sorted(int(row[1]) for row in csv_rows(company, "")[1:] if row[1])
    below = indexes[len(indexes) // 2 + 3]
    query = f"below={below}&q=Team"
    matching = csv_rows(company, query)[1:]
    assert PER_PAGE < len(matching) < 24
    assert all(int(row[1]) < below and row[0].startswith("Team") for row in matching)
    shown = pages(company, query)
    assert len(shown) > 1
    for page in shown:
        assert f'name="below" id="below" min="0" max="101" value="{below}"' in page
        assert 'id="unit-search" value="Team"' in page
    assert [name for page in shown for name in UNIT_NAME.findall(page)] == [
        row[0] for row in matching
    ]


def test_a_search_finds_a_unit_by_its_name_and_by_its_managers_name(company) -> None:
    cycle, team = company["cycle"].pk, company["team"]
    by_name = pages(company, "q=team 2.7")
    assert [UNIT_NAME.findall(page) for page in by_name] == [["Team 2.7"]]
    by_manager = pages(company, "q=Lead 2.7")[0]
    assert UNIT_NAME.findall(by_manager) == ["Team 2.7"]
    assert '<span class="counted-here">Lead 2.7</span>' in by_manager
    assert f'href="/dashboard/?cycle={cycle}&amp;team={team["Team 2.7"]}">Team 2.7</a>' in (
        by_manager
    )
    nobody = pages(company, "q=Nobody")[0]
    assert "No unit has a name or a manager matching “Nobody”." in nobody
    assert [row[0] for row in csv_rows(company, "q=lead 2.7")[1:]] == ["Team 2.7"]


def test_the_csv_holds_every_matching_unit_in_todays_columns_whatever_the_page(company) -> None:
    everything = csv_rows(company, "page=3")
    assert everything[0] == COLUMNS
    assert len(everything) == 1 + 27
    assert all(len(row) == len(COLUMNS) for row in everything)
    team = next(row for row in everything if row[0] == "Team 1.3")
    assert team[2:6] == ["Open conversation", "no", "Ask the quietest first [planned]", "0"]
    page = pages(company, "q=Team&page=2")[0]
    assert 'href="?cycle=' in page and "q=Team&amp;format=csv" in page
    assert "page=2&amp;format=csv" not in page


def test_a_page_number_that_is_no_page_is_a_404(company) -> None:
    nadia, cycle = company["clients"]["nadia"], company["cycle"].pk
    for number in ("0", "7", "two", "9" * 30):
        response = nadia.get(f"/hr/follow-through/?cycle={cycle}&page={number}")
        assert response.status_code == 404, number


def csv_queries(company: dict, monkeypatch, batch: int) -> int:
    monkeypatch.setattr(follow_through, "CSV_BATCH", batch)
    nadia, cycle = company["clients"]["nadia"], company["cycle"].pk
    nadia.get(f"/hr/follow-through/?cycle={cycle}")  # warms what every request reads
    with CaptureQueriesContext(connection) as queries:
        response = nadia.get(f"/hr/follow-through/?cycle={cycle}&format=csv")
        response.getvalue()
    return len(queries)


def test_the_csv_reads_the_units_in_batches_of_a_few_queries_each_at_any_size(
    monkeypatch,
) -> None:
    """In one batch, the CSV of the company costs the same queries at both sizes; in batches of
    five, each batch adds the same few queries."""
    found = {}
    for teams, units in ((10, 23), (20, 43)):
        company = released_company(teams_per_department=teams)
        whole = csv_queries(company, monkeypatch, batch=1000)
        batched = csv_queries(company, monkeypatch, batch=PER_PAGE)
        batches = -(-units // PER_PAGE)
        per_batch, left = divmod(batched - whole, batches - 1)
        assert left == 0 and per_batch <= 6
        found[teams] = (whole, per_batch)
    assert found[10] == found[20]
