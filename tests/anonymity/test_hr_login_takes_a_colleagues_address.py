"""An HR login that names nobody (an HR desk's, test_hr_login_under_another_address) takes the
address of a colleague who has no login, so that the next survey links it to that colleague
and it reads, counted as the colleague, never as the officer who answered: East less the
officers' answers would be Quinn.

The sign-in's email page is not served, so no login changes its own address; and a login is
linked by the address it was made under (its username), not by the address it carries now,
so even one whose address is changed (as a superuser could in the admin) names nobody.
"""

import pytest
from django.test import Client

from teams.hr_identity import names_nobody
from tests.anonymity.test_across_surveys import run_survey
from tests.anonymity.test_hr_login_under_another_address import (
    east_with_officers,
    everyone_answers,
    hr_desk_logins,
    quinn_as_read_from,
    read_as,
)
from tests.anonymity.test_hr_officers_renumbered_by_an_import import NOTHING_TOLD
from tests.anonymity.test_union_of_regions_between_surveys import group
from tests.org_builder import BuiltOrg

pytestmark = pytest.mark.django_db


@pytest.fixture
def org() -> BuiltOrg:
    # Six staff: with a seventh reader among them, the company's own region still has k.
    return east_with_officers(staff=6)


def test_an_hr_login_cannot_take_a_colleagues_address_and_be_counted_as_them(client, org) -> None:
    logins = hr_desk_logins(group(org, "Officer"))
    colleagues = [org["Ada Lovelace"], org["Ben Carter"], org["Cleo Turner"], org["Staff 1"]]
    for login, colleague in zip(logins, colleagues, strict=True):
        browser = Client()
        browser.force_login(login)
        add = browser.post("/accounts/email/", {"email": colleague.email, "action_add": ""})
        assert add.status_code == 404
        login.refresh_from_db()
        assert login.email != colleague.email
        # Given the colleague's address all the same: the login is still nobody.
        login.email = colleague.email
        login.save(update_fields=["email"])
        assert names_nobody(login)

    october = run_survey(client, "October", everyone_answers(org))

    for login in logins:
        # The promise: one person's answer is bounded no better than the whole scale.
        assert quinn_as_read_from(read_as(login, october.cycle.pk, "East")) == NOTHING_TOLD
