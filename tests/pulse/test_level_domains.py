"""Coarse steps often leave two domains level at the bottom (both 50, in steps of 50). The
figures then do not say which is weaker, so no page names one: the dashboard says they are
level and the team chooses; the focus form and the API propose nothing. On the demo: Kenji
leads Platform, Nadia is HR."""

import pytest

from pulse.models import ReleasedUnit

pytestmark = pytest.mark.django_db


def make_level(release: ReleasedUnit, scores: dict[str, int], step: int) -> None:
    figures = release.figures
    figures["precision"] = step
    for domain, score in scores.items():
        figures["domains"][domain]["score"] = score
    release.save(update_fields=["figures"])


def test_two_domains_level_at_the_bottom_are_named_together_and_none_is_proposed(demo) -> None:
    kenji, platform = demo["clients"]["kenji"], demo["units"]["Platform"]
    make_level(platform, {"risk": 50, "conversation": 50, "help": 100, "inclusivity": 100}, 50)

    page = kenji.get(f"/dashboard/?cycle={demo['cycle'].pk}&unit={platform.unit_id}").text
    # In the domains' own order, as the table lists them.
    assert (
        "Risk and failure and Open conversation are level at the bottom, in ranges 50 points wide"
        in page
    )
    assert '<span class="tag">weakest</span>' not in page
    assert "Focus: " not in page

    form = kenji.get(f"/dashboard/{platform.unit_id}/focus/").text
    assert "Proposed:" not in form
    assert kenji.get(f"/api/v1/focus/{platform.unit_id}").json()["proposed_domain"] is None
    summary = kenji.get(f"/dashboard/{platform.unit_id}/summary/").text
    assert "are level at the bottom" in summary and '<span class="tag">lowest</span>' not in summary


def test_all_four_level_is_said_so(demo) -> None:
    kenji, platform = demo["clients"]["kenji"], demo["units"]["Platform"]
    make_level(platform, {"risk": 50, "conversation": 50, "help": 50, "inclusivity": 50}, 50)
    page = kenji.get(f"/dashboard/?cycle={demo['cycle'].pk}&unit={platform.unit_id}").text
    assert "All 4 domains are level, in ranges 50 points wide" in page
    assert "Focus: " not in page


def test_one_lowest_domain_is_still_named_proposed_and_guided(demo) -> None:
    kenji, platform = demo["clients"]["kenji"], demo["units"]["Platform"]
    make_level(platform, {"risk": 50, "conversation": 0, "help": 100, "inclusivity": 100}, 50)

    page = kenji.get(f"/dashboard/?cycle={demo['cycle'].pk}&unit={platform.unit_id}").text
    assert "Focus: Open conversation" in page and "level at the bottom" not in page
    form = kenji.get(f"/dashboard/{platform.unit_id}/focus/").text
    assert "Proposed: Open conversation" in form
    assert kenji.get(f"/api/v1/focus/{platform.unit_id}").json()["proposed_domain"] == (
        "conversation"
    )
