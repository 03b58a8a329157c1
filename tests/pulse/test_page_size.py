"""Pages of one size at every size of organisation: the company grows from 2 x 10 teams to
2 x 20 (and each page shows five units at a time here), and every results page keeps its number
of queries and of unit rows, and nearly its bytes. Every team has a CSAT figure for the month
and every team has chosen a focus, so the API lists beside the results have rows to page
too. Then paging and search as HR and a department head use them: Nadia (HR), Hana (heads
Department 1), Lee (leads Team 1.3)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.api_pages import ListPages
from pulse import results
from tests.support.released_company import released_company

pytestmark = pytest.mark.django_db
PER_PAGE = 5
UNIT_ROW = re.compile(r'<tr>\s*<th scope="row"')


@pytest.fixture(autouse=True)
def five_units_a_page(monkeypatch) -> None:
    monkeypatch.setattr(results, "UNITS_PER_PAGE", PER_PAGE)
    monkeypatch.setattr(ListPages, "page_size", PER_PAGE)


def pages_of(company: dict) -> dict[str, tuple[str, str]]:
    cycle, team = company["cycle"].pk, company["team"]
    return {
        "HR top unit": ("nadia", f"/dashboard/?cycle={cycle}&team={team['Company']}"),
        "HR department": ("nadia", f"/dashboard/?cycle={cycle}&team={team['Department 2']}"),
        "department head": ("hana", f"/dashboard/?cycle={cycle}"),
        "front-line manager": ("lee", f"/dashboard/?cycle={cycle}"),
        "heatmap": ("nadia", f"/hr/heatmap/?cycle={cycle}"),
        "heatmap, a department": (
            "nadia",
            f"/hr/heatmap/?cycle={cycle}&team={team['Department 1']}",
        ),
        "participation": ("nadia", f"/hr/participation/?cycle={cycle}"),
        "follow-through": ("nadia", f"/hr/follow-through/?cycle={cycle}&page=2"),
        "follow-through, filtered and searched": (
            "nadia",
            f"/hr/follow-through/?cycle={cycle}&below=101&q=Team&page=2",
        ),
        "search": ("nadia", f"/dashboard/?cycle={cycle}&team={team['Company']}&q=Team"),
        "results API, HR": ("nadia", f"/api/v1/results/?cycle={cycle}&page=2"),
        "results API, a department head": ("hana", f"/api/v1/results/?cycle={cycle}"),
        "focus API": ("hana", f"/api/v1/focus/?cycle={cycle}"),
        "focus API, HR": ("nadia", f"/api/v1/focus/?cycle={cycle}&page=2"),
        "follow-through API": ("nadia", f"/api/v1/follow-through/?cycle={cycle}&page=2"),
        "linked API": ("nadia", f"/api/v1/cx/linked?cycle={cycle}&metric=csat&page=2"),
        "linked API, a department head": ("hana", f"/api/v1/cx/linked?cycle={cycle}"),
        "customer values API": ("nadia", "/api/v1/cx/values?metric=csat&page=2"),
    }


def listed_rows(body: object) -> int:
    """The rows of one page of an API list: the list itself, or the linked view's points."""
    return len(body["points"]) if isinstance(body, dict) else len(body)  # type: ignore[arg-type]


def measure(company: dict) -> dict[str, tuple[int, int, int]]:
    """Page → (queries, unit rows, bytes)."""
    found = {}
    for page, (viewer, path) in pages_of(company).items():
        client = company["clients"][viewer]
        client.get(path)  # the first request of a login warms what every request reads
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (page, response.status_code)
        body = response.content.decode()
        rows = (
            listed_rows(response.json())
            if path.startswith("/api/")
            else len(UNIT_ROW.findall(body))
        )
        found[page] = (len(queries), rows, len(body))
    return found


def test_no_page_grows_when_the_organisation_doubles() -> None:
    smaller = measure(released_company(teams_per_department=10))
    larger = measure(released_company(teams_per_department=20))
    for page, (queries, rows, size) in smaller.items():
        grown_queries, grown_rows, grown_size = larger[page]
        assert grown_queries == queries, page
        assert grown_rows == rows, page
        # Names, figures and which unit is hidden differ a little (a hidden unit's row is
        # shorter); a page that listed every unit would double.
        assert grown_size < size * 1.25, (page, size, grown_size)


@pytest.fixture
def company() -> dict:
    return released_company(teams_per_department=12)


def team_links(page: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="[^"]*">(Team [\d.]+)</a>', page)


def test_page_two_shows_the_next_teams_below_a_department(company) -> None:
    first = company["clients"]["hana"].get(f"/dashboard/?cycle={company['cycle'].pk}")
    page = first.content.decode()
    assert team_links(page) == ["Team 1.1", "Team 1.10", "Team 1.11", "Team 1.12", "Team 1.2"]
    following = re.search(r'<a rel="next" href="\?([^"]+)">Next teams', page)
    assert following is not None
    second = company["clients"]["hana"].get("/dashboard/?" + following[1].replace("&amp;", "&"))
    assert team_links(second.content.decode()) == [f"Team 1.{n}" for n in range(3, 8)]
    following = re.search(r'<a rel="next" href="\?([^"]+)">Next teams', second.content.decode())
    assert following is not None and 'rel="prev"' in second.content.decode()
    last = company["clients"]["hana"].get("/dashboard/?" + following[1].replace("&amp;", "&"))
    assert team_links(last.content.decode()) == ["Team 1.8", "Team 1.9"]
    assert 'rel="next"' not in last.content.decode()


def test_a_search_finds_a_team_deep_in_the_tree_by_its_managers_name_and_links_to_it(
    company,
) -> None:
    cycle, team = company["cycle"].pk, company["team"]
    top = f"/dashboard/?cycle={cycle}&team={team['Company']}"
    page = company["clients"]["nadia"].get(f"{top}&q=lead 2.7").content.decode()
    assert team_links(page) == ["Team 2.7"]
    assert f'href="?cycle={cycle}&amp;team={team["Team 2.7"]}">Team 2.7</a>' in page
    opened = company["clients"]["nadia"].get(f"/dashboard/?cycle={cycle}&team={team['Team 2.7']}")
    assert "<h1>Team 2.7</h1>" in opened.content.decode()


def test_a_department_heads_search_finds_only_teams_below_their_own(company) -> None:
    hana = company["clients"]["hana"]
    page = hana.get(f"/dashboard/?cycle={company['cycle'].pk}&q=Team 2.").content.decode()
    assert team_links(page) == []
    assert "No team below Department 1 has a name or a manager matching" in page


def test_a_page_number_that_is_no_page_is_a_404(company) -> None:
    for number in ("0", "-1", "two", "9" * 30):
        response = company["clients"]["hana"].get(
            f"/dashboard/?cycle={company['cycle'].pk}&page={number}"
        )
        assert response.status_code == 404, number


def test_the_results_api_pages_its_list_and_links_to_the_next_page(company) -> None:
    hana, cycle = company["clients"]["hana"], company["cycle"].pk
    names: list[str] = []
    address: str | None = f"/api/v1/results/?cycle={cycle}"
    while address:
        response = hana.get(address)
        assert response.status_code == 200
        assert len(response.json()) <= PER_PAGE
        names += [row["name"] for row in response.json()]
        following = re.search(r'<([^>]+)>; rel="next"', response.headers.get("Link", ""))
        address = following[1] if following else None
    # Her department and its twelve teams, each once; nothing of Department 2.
    assert sorted(names) == sorted(["Department 1", *(f"Team 1.{n}" for n in range(1, 13))])
    assert hana.get(f"/api/v1/results/?cycle={cycle}&page=9").status_code == 404


def test_the_schema_documents_the_pages_of_the_results_list(company) -> None:
    schema = company["clients"]["nadia"].get("/api/schema/?format=json").json()
    results_list = next(
        operation["get"]
        for path, operation in schema["paths"].items()
        if path.startswith("/api/v1/results")
    )
    assert "page" in {parameter["name"] for parameter in results_list["parameters"]}
    assert "Link" in results_list["responses"]["200"]["headers"]


def test_each_page_asks_once_whether_the_viewer_is_hr(company) -> None:
    for page, (viewer, path) in pages_of(company).items():
        with CaptureQueriesContext(connection) as queries:
            assert company["clients"][viewer].get(path).status_code == 200
        asked = [q for q in queries.captured_queries if "auth_user_groups" in q["sql"]]
        assert len(asked) <= 1, page
