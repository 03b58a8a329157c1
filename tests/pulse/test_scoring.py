"""Scores as a manager reads them: reverse-keyed items, 0-100 domains, favorable shares, eNPS."""

import pytest

from pulse.release_stats import score
from pulse.scoring import Ballot, DomainFigure, Question, change_between, t_quantile

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


@pytest.mark.parametrize(
    ("degrees", "probability", "table_value"),
    [
        (1, 0.975, 12.706),
        (2, 0.975, 4.303),
        (4, 0.95, 2.132),
        (5, 0.975, 2.571),
        (9, 0.995, 3.250),
        (10, 0.975, 2.228),
        (30, 0.975, 2.042),
        (120, 0.975, 1.980),
    ],
)
def test_the_t_quantile_matches_the_printed_table(degrees, probability, table_value) -> None:
    assert t_quantile(probability, degrees) == pytest.approx(table_value, abs=5e-4)


def test_a_fractional_number_of_degrees_lies_between_its_neighbours() -> None:
    assert t_quantile(0.975, 6) > t_quantile(0.975, 6.5) > t_quantile(0.975, 7)


def test_two_teams_of_six_need_welchs_t_not_the_normal_cutoff() -> None:
    # 25 points up with a spread of 20: 1.96 standard errors would call it real, but with
    # six people on each side (Satterthwaite: 10 degrees of freedom) it is within the noise.
    before = DomainFigure(score=50, favorable=40, respondents=6, spread=20)
    after = DomainFigure(score=75, favorable=70, respondents=6, spread=20)
    change = change_between(before, after)
    error = (2 * 20**2 / 6) ** 0.5
    assert 25 - 1.96 * error > 0
    assert not change.is_clear
    assert change.high - change.delta == pytest.approx(2.228 * error, abs=0.01)


def test_unequal_spreads_use_satterthwaites_degrees_of_freedom() -> None:
    before = DomainFigure(score=50, favorable=40, respondents=5, spread=30)
    after = DomainFigure(score=60, favorable=50, respondents=10, spread=5)
    parts = (30**2 / 5, 5**2 / 10)
    degrees = sum(parts) ** 2 / (parts[0] ** 2 / 4 + parts[1] ** 2 / 9)
    change = change_between(before, after)
    assert degrees == pytest.approx(4.11, abs=0.01)  # not 13, the two sizes added
    assert change.high - change.delta == pytest.approx(
        t_quantile(0.975, degrees) * sum(parts) ** 0.5
    )
