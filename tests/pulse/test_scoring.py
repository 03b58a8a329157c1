"""Scores as a manager reads them: reverse-keyed items, 0-100 domains, favorable shares, eNPS."""

import pytest

from pulse.scoring import Ballot, DomainFigure, Question, change_between, score

QUESTIONS = [
    Question("risk-try", "risk", reverse_scored=False),
    Question("risk-held-against", "risk", reverse_scored=True),
    Question("help-easy", "help", reverse_scored=False),
]


def test_a_negatively_worded_item_counts_the_other_way_round() -> None:
    # Strongly agreeing that mistakes are held against you is the worst answer for safety.
    figures = score([Ballot({"risk-try": 7, "risk-held-against": 7}, enps=None)], QUESTIONS)
    assert figures.domains["risk"].score == pytest.approx(50.0)  # (7 + 1) / 2 = 4 → 50
    assert figures.questions["risk-held-against"].mean == 1
    assert figures.questions["risk-held-against"].distribution == (0, 0, 0, 0, 0, 0, 1)


def test_domain_scores_favorable_shares_and_the_index() -> None:
    ballots = [
        Ballot({"risk-try": 7, "risk-held-against": 1, "help-easy": 4}, enps=10),
        Ballot({"risk-try": 4, "risk-held-against": 4, "help-easy": 1}, enps=6),
    ]
    figures = score(ballots, QUESTIONS)
    assert figures.domains["risk"].score == pytest.approx((100 + 50) / 2)
    assert figures.domains["risk"].favorable == pytest.approx(50.0)
    assert figures.domains["help"].score == pytest.approx((50 + 0) / 2)
    assert figures.index == pytest.approx((75 + 25) / 2)
    assert figures.enps == pytest.approx(0.0)  # one promoter, one detractor


def test_skipped_items_and_a_skipped_enps_shrink_only_their_own_counts() -> None:
    ballots = [Ballot({"risk-try": 6}, enps=None), Ballot({"risk-try": 5, "help-easy": 7}, enps=9)]
    figures = score(ballots, QUESTIONS)
    assert figures.respondents == 2
    assert figures.questions["help-easy"].respondents == 1
    assert "risk-held-against" not in figures.questions
    assert (figures.enps, figures.enps_respondents) == (100.0, 1)


def test_a_small_shift_in_a_noisy_team_is_not_called_a_change() -> None:
    before = DomainFigure(score=60, favorable=50, respondents=6, spread=25)
    after = DomainFigure(score=66, favorable=60, respondents=6, spread=25)
    assert not change_between(before, after).is_clear
    big_after = DomainFigure(score=90, favorable=90, respondents=40, spread=10)
    big_before = DomainFigure(score=60, favorable=50, respondents=40, spread=10)
    change = change_between(big_before, big_after)
    assert change.is_clear and change.low > 20
