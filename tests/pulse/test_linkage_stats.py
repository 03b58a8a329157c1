"""The correlations on "Employees and customers" against published and hand-worked values."""

import math

import pytest

from pulse.linkage_stats import correlate, fisher_interval, pearson, ranks, spearman

# Anscombe (1973), "Graphs in statistical analysis", data set I: r = 0.816 (0.81642).
ANSCOMBE_X = [10.0, 8, 13, 9, 11, 14, 6, 4, 12, 7, 5]
ANSCOMBE_Y = [8.04, 6.95, 7.58, 8.81, 8.33, 9.96, 7.24, 4.26, 10.84, 4.82, 5.68]
# Wikipedia, "Spearman's rank correlation coefficient", worked example (IQ against hours of
# television a week): rho = -29/165, about -0.1758.
IQ = [106.0, 100, 86, 101, 99, 103, 97, 113, 112, 110]
TV_HOURS = [7.0, 27, 2, 50, 28, 29, 20, 12, 6, 17]


def test_pearson_matches_anscombes_published_value() -> None:
    assert pearson(ANSCOMBE_X, ANSCOMBE_Y) == pytest.approx(0.81642, abs=1e-5)


def test_spearman_matches_the_textbook_worked_example() -> None:
    assert spearman(IQ, TV_HOURS) == pytest.approx(-29 / 165, abs=1e-12)


def test_tied_values_share_the_mean_of_their_ranks() -> None:
    assert ranks([3.0, 1, 2, 2, 5]) == [4, 1, 2.5, 2.5, 5]
    # By hand: ranks x 1, 2.5, 2.5, 4, 5 and y 1, 3, 2, 4, 5 give 9.5 / sqrt(9.5 * 10).
    assert spearman([1.0, 2, 2, 3, 4], [1.0, 3, 2, 4, 5]) == pytest.approx(9.5 / math.sqrt(95))


def test_the_interval_is_fishers_z_worked_by_hand() -> None:
    # r = 0.5 over 50 pairs: atanh(0.5) = 0.5493 +- 1.96 / sqrt(47) = 0.2859 gives z from
    # 0.2634 to 0.8352, that is r from 0.2575 to 0.6833.
    low, high = fisher_interval(0.5, 50) or (0, 0)
    assert (round(low, 4), round(high, 4)) == (0.2575, 0.6833)


def test_no_interval_is_given_for_three_units_or_fewer() -> None:
    assert fisher_interval(0.9, 3) is None
    three = correlate([1.0, 2, 3], [2.0, 1, 4])
    assert three.low is None and three.high is None
    assert three.sentence == "3 units: too few to tell."


def test_below_ten_units_the_sentence_says_too_few_to_tell_whatever_r_is() -> None:
    eight = correlate([float(v) for v in range(8)], [float(v) * 2 for v in range(8)])
    assert eight.pearson == pytest.approx(1.0)
    assert eight.sentence == "8 units: too few to tell."
    assert not eight.enough


def test_a_clear_association_is_named_with_its_interval_and_never_as_a_cause() -> None:
    result = correlate(ANSCOMBE_X, ANSCOMBE_Y)
    # By hand from r = 0.81642: atanh(r) = 1.1460 +- 1.96 / sqrt(8) = 0.6929.
    assert result.low == pytest.approx(0.4244, abs=1e-4)
    assert result.high == pytest.approx(0.9507, abs=1e-4)
    assert result.sentence == (
        "Strong positive association (r = 0.82, 95% CI 0.42 to 0.95, 11 units); "
        "association, not proof of cause."
    )


def test_an_interval_that_spans_zero_is_no_clear_association() -> None:
    result = correlate(IQ, TV_HOURS)
    assert result.interval_spans_zero
    assert result.sentence.startswith("No clear association (r = -0.")
    assert "the interval includes zero" in result.sentence


def test_a_figure_that_is_the_same_everywhere_has_no_correlation() -> None:
    result = correlate([50.0] * 12, [float(v) for v in range(12)])
    assert result.pearson is None and result.spearman is None
    assert "the same everywhere" in result.sentence


def test_two_units_get_no_correlation_at_all_since_two_points_always_lie_on_a_line() -> None:
    two = correlate([40.0, 80.0], [70.0, 90.0])
    assert two.pearson is None and two.spearman is None and two.low is None
    assert two.sentence == "2 units: too few to tell."
