"""Correlations between survey figures and customer figures, and what they may be said to show.

Pure functions over paired numbers. The sentence never claims more than the numbers carry:
below MIN_UNITS pairs it says "too few to tell"; an interval is never given at n <= 3, where
Fisher's z has no standard error; an interval that spans zero is "no clear association"; and
every association is called an association, never a cause (docs/cx-metrics.md).
"""

import math
from dataclasses import dataclass

# Below this many units a correlation swings too far from sample to sample to be worth words.
MIN_UNITS = 10
Z_95 = 1.959963984540054  # the standard normal's 97.5th percentile


@dataclass(frozen=True)
class Correlation:
    n: int
    pearson: float | None  # None when either side does not vary, or n < 3
    spearman: float | None
    low: float | None  # 95% interval of the Pearson correlation (Fisher z), None at n <= 3
    high: float | None
    sentence: str

    @property
    def enough(self) -> bool:
        return self.n >= MIN_UNITS and self.pearson is not None

    @property
    def interval_spans_zero(self) -> bool:
        return self.low is None or self.high is None or self.low <= 0 <= self.high


def ranks(values: list[float]) -> list[float]:
    """1-based ranks, ties given the mean of the ranks they share."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    result = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        shared = (start + end) / 2 + 1
        for position in range(start, end + 1):
            result[order[position]] = shared
        start = end + 1
    return result


def pearson(xs: list[float], ys: list[float]) -> float | None:
    if len(xs) != len(ys):
        raise ValueError("Pairs need as many x values as y values.")
    n = len(xs)
    if n < 2:
        return None
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    cross = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    spread_x = sum((x - mean_x) ** 2 for x in xs)
    spread_y = sum((y - mean_y) ** 2 for y in ys)
    if spread_x == 0 or spread_y == 0:
        return None
    return max(-1.0, min(1.0, cross / math.sqrt(spread_x * spread_y)))


def spearman(xs: list[float], ys: list[float]) -> float | None:
    return pearson(ranks(xs), ranks(ys))


def fisher_interval(r: float, n: int) -> tuple[float, float] | None:
    """The 95% interval of a Pearson correlation r over n pairs; None where n <= 3."""
    if n <= 3:
        return None
    if abs(r) >= 1:
        return (r, r)
    z, half = math.atanh(r), Z_95 / math.sqrt(n - 3)
    return (math.tanh(z - half), math.tanh(z + half))


def strength(r: float) -> str:
    size = abs(r)
    if size < 0.3:
        return "weak"
    if size < 0.5:
        return "moderate"
    return "strong"


def count_units(n: int) -> str:
    return f"{n} unit" if n == 1 else f"{n} units"


def correlate(xs: list[float], ys: list[float]) -> Correlation:
    n = len(xs)
    # Two points always lie on a line: r = ±1 says nothing, so no correlation is given at all.
    r, rho = (pearson(xs, ys), spearman(xs, ys)) if n >= 3 else (None, None)
    interval = fisher_interval(r, n) if r is not None else None
    low, high = interval if interval else (None, None)
    if n < MIN_UNITS:
        sentence = f"{count_units(n)}: too few to tell."
    elif r is None or rho is None:
        sentence = (
            f"{count_units(n)}: one of the two figures is the same everywhere, so nothing to tell."
        )
    elif low is not None and high is not None and low <= 0 <= high:
        sentence = (
            f"No clear association (r = {r:.2f}, 95% CI {low:.2f} to {high:.2f}, "
            f"{count_units(n)}): the interval includes zero."
        )
    else:
        direction = "positive" if r > 0 else "negative"
        sentence = (
            f"{strength(r).capitalize()} {direction} association (r = {r:.2f}, "
            f"95% CI {low:.2f} to {high:.2f}, {count_units(n)}); association, not proof of cause."
        )
    return Correlation(n=n, pearson=r, spearman=rho, low=low, high=high, sentence=sentence)
