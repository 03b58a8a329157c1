"""Scoring (DESIGN §2): the figures a release publishes, and what a change between two is.

A ballot's item value is taken after reverse-keying (8 - answer for negatively worded items).
A respondent's domain value is the mean of the domain's items they answered; a unit's domain
score is the mean of its respondents' domain values, rescaled to 0-100 by (mean - 1) / 6 * 100.
"Favorable" is the share of item answers at 5-7 after reverse-keying. The psychological-safety
index is the mean of the four domain scores. eNPS is % promoters (9-10) - % detractors (0-6).
pulse.release_stats computes these figures from a group's ballots (score) or from their counts.
A change between two cycles carries a 95% confidence interval (Welch's t with Satterthwaite's
degrees of freedom: at team sizes of 5 to 10 the normal approximation's 1.96 would call noise
a change half again too often), so a manager can tell a real shift from noise.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

SCALE_MIN, SCALE_MAX = 1, 7
FAVORABLE_FROM = 5
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Question:
    key: str
    domain: str
    reverse_scored: bool


@dataclass(frozen=True)
class Ballot:
    answers: Mapping[str, int]  # item key → answer as given, 1..7; skipped items are absent
    enps: int | None


@dataclass(frozen=True)
class DomainFigure:
    score: float  # 0-100
    favorable: float  # 0-100, share of favorable item answers
    respondents: int
    spread: float  # standard deviation of respondents' domain values on the 0-100 scale


@dataclass(frozen=True)
class QuestionFigure:
    respondents: int
    mean: float  # 1-7, after reverse-keying
    favorable: float
    distribution: tuple[int, ...]  # counts of answers 1..7 as given


@dataclass(frozen=True)
class Figures:
    respondents: int
    domains: dict[str, DomainFigure] = field(default_factory=dict)
    questions: dict[str, QuestionFigure] = field(default_factory=dict)
    index: float | None = None
    enps: float | None = None
    enps_respondents: int = 0


def rescale(value: float) -> float:
    return (value - SCALE_MIN) / (SCALE_MAX - SCALE_MIN) * 100


def keyed(question: Question, answer: int) -> int:
    return SCALE_MIN + SCALE_MAX - answer if question.reverse_scored else answer


@dataclass(frozen=True)
class Change:
    delta: float
    low: float
    high: float

    @property
    def is_clear(self) -> bool:
        """The interval excludes zero: likely a real change, not noise."""
        return self.low > 0 or self.high < 0


def change_between(before: DomainFigure, after: DomainFigure, *, rounding: float = 0.0) -> Change:
    """The change of a domain score and its confidence interval. `rounding`: how far the
    difference of the two scores may be off because they were rounded before they got here;
    the interval is widened by it, so a rounded score never makes noise look like a change."""
    delta = after.score - before.score
    if before.respondents < 2 or after.respondents < 2:
        return Change(delta=delta, low=-math.inf, high=math.inf)  # no spread to judge by
    before_part = before.spread**2 / before.respondents
    after_part = after.spread**2 / after.respondents
    error = math.sqrt(before_part + after_part)
    if error == 0:
        return Change(delta=delta, low=delta - rounding, high=delta + rounding)
    degrees = (before_part + after_part) ** 2 / (
        before_part**2 / (before.respondents - 1) + after_part**2 / (after.respondents - 1)
    )
    margin = t_quantile(0.5 + CONFIDENCE / 2, degrees) * error + rounding
    return Change(delta=delta, low=delta - margin, high=delta + margin)


def t_quantile(probability: float, degrees: float) -> float:
    """The value t with P(T <= t) = probability for Student's t with `degrees` (> 0, not
    necessarily whole) degrees of freedom, found by bisection on t_cdf."""
    low, high = -1e4, 1e4
    for _ in range(200):
        middle = (low + high) / 2
        if t_cdf(middle, degrees) < probability:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def t_cdf(t: float, degrees: float) -> float:
    tail = 0.5 * regularized_incomplete_beta(degrees / (degrees + t * t), degrees / 2, 0.5)
    return 1 - tail if t > 0 else tail


def regularized_incomplete_beta(x: float, a: float, b: float) -> float:
    """I_x(a, b) by its continued fraction (Lentz's method), on the side where it converges."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    front = math.exp(log_front + a * math.log(x) + b * math.log(1 - x))
    if x < (a + 1) / (a + b + 2):
        return front * beta_fraction(x, a, b) / a
    return 1 - front * beta_fraction(1 - x, b, a) / b


def beta_fraction(x: float, a: float, b: float) -> float:
    tiny = 1e-300
    c, d = 1.0, 1 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 300):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1 + numerator * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + numerator / c
            c = c if abs(c) > tiny else tiny
            result *= c * d
        if abs(c * d - 1) < 1e-15:
            break
    return result
