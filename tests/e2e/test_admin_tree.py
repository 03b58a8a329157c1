"""In a real browser, HR sees the team list as a tree: each level is indented further, by the
stylesheet the Content-Security-Policy allows, and the browser refuses nothing on the page."""

import pytest

from teams.accounts import ensure_login
from tests.org_builder import build_org

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-test-password"


def test_the_team_list_indents_each_level_of_the_tree_further(live_server, browser) -> None:
    org = build_org(
        """
        Ada Lovelace (Company)
          Grace Hopper (Engineering)
            Linus Torvalds (Platform)
              3 engineers
            Margaret Hamilton
          Harriet Tubman
        """
    )
    ensure_login(email=org["Harriet Tubman"].email, password=PASSWORD, hr=True)
    page = browser.new_page()
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(f"{live_server.url}/admin/login/?next=/admin/teams/team/")
    # The admin's login address leads to the login page, which then goes on to the admin.
    page.fill("#id_login", org["Harriet Tubman"].email)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url("**/admin/teams/team/")

    def indent_of(team: str) -> float:
        name = page.locator(".field-indented_name span", has_text=team).first
        padding = name.evaluate("element => getComputedStyle(element).paddingLeft")
        return float(padding.removesuffix("px"))

    company, engineering, platform = (indent_of(t) for t in ("Company", "Engineering", "Platform"))
    assert company == 0
    assert 0 < engineering < platform
    assert platform == pytest.approx(2 * engineering)
    assert refused == []
