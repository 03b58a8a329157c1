"""Server-rendered SVG: the trend of a team's index over cycles, a customer metric's trend on the
same time axis, and the scatter of units on HR's linked view. No script, no inline style: the
templates draw these shapes, and a table beside each chart carries the same numbers."""

import math
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH, HEIGHT, PAD = 320, 140, 28


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    label: str
    value: float
    step: int = 1  # of the release the value is from: the title shows its range


@dataclass(frozen=True)
class TrendChart:
    width: int
    height: int
    points: list[ChartPoint]
    gridlines: list[tuple[float, int]]

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


def trend_chart(points: Sequence[tuple[str, float, int]]) -> TrendChart | None:
    """(label, value, step) per survey, oldest first: pulse.results.trend_points."""
    if len(points) < 2:
        return None
    span = WIDTH - 2 * PAD
    step = span / (len(points) - 1)

    def y_of(value: float) -> float:
        return PAD + (100 - value) / 100 * (HEIGHT - 2 * PAD)

    return TrendChart(
        width=WIDTH,
        height=HEIGHT,
        points=[
            ChartPoint(
                x=PAD + index * step, y=y_of(value), label=label, value=value, step=value_step
            )
            for index, (label, value, value_step) in enumerate(points)
        ],
        gridlines=[(y_of(value), value) for value in (0, 50, 100)],
    )


SCATTER_WIDTH, SCATTER_HEIGHT, SCATTER_PAD = 360, 260, 40


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class ScatterDot:
    x: float
    y: float
    label: str  # the unit's name, for the dot's own <title>


@dataclass(frozen=True)
class ScatterChart:
    width: int
    height: int
    pad: int
    dots: list[ScatterDot]
    x_ticks: list[Tick]
    y_ticks: list[Tick]

    @property
    def plot_right(self) -> int:
        return self.width - self.pad // 2

    @property
    def plot_bottom(self) -> int:
        return self.height - self.pad


def padded_range(values: list[float]) -> tuple[float, float]:
    """An axis span for a scale without fixed ends: the data's, with a margin each side."""
    low, high = min(values), max(values)
    margin = (high - low) * 0.1 or max(abs(high) * 0.1, 1.0)
    return low - margin, high + margin


def round_ticks(low: float, high: float, *, most: int = 6) -> list[float]:
    """Tick values at a round step (1, 2, 2.5 or 5 times a power of ten) from at or below
    `low` to at or above `high`, at most `most` of them: 70, 75, 80 rather than 72.8, 78.3."""
    span = high - low
    if span <= 0:
        return [low]
    power = 10 ** math.floor(math.log10(span / (most - 1)))
    step = next(
        (
            power * factor
            for factor in (1, 2, 2.5, 5, 10)
            if math.ceil(high / (power * factor)) - math.floor(low / (power * factor)) < most
        ),
        power * 20,
    )
    first, last = math.floor(low / step), math.ceil(high / step)
    return [round(index * step, 10) for index in range(first, last + 1)]


def tick_label(value: float) -> str:
    return f"{value:g}"


def scatter_chart(
    points: list[tuple[str, float, float]], *, x_span: tuple[float, float]
) -> ScatterChart | None:
    """Points (label, x, y): x on its scale's span (0-100, eNPS -100 to 100), y on the data's."""
    if not points:
        return None
    x_low, x_high = x_span
    y_values = round_ticks(*padded_range([y for _, _, y in points]), most=6)
    y_low, y_high = y_values[0], y_values[-1]
    left, right = SCATTER_PAD, SCATTER_WIDTH - SCATTER_PAD // 2
    top, bottom = SCATTER_PAD // 2, SCATTER_HEIGHT - SCATTER_PAD

    def x_of(value: float) -> float:
        return left + (value - x_low) / (x_high - x_low) * (right - left)

    def y_of(value: float) -> float:
        return bottom - (value - y_low) / (y_high - y_low) * (bottom - top)

    x_steps = [x_low + (x_high - x_low) * step / 4 for step in range(5)]
    return ScatterChart(
        width=SCATTER_WIDTH,
        height=SCATTER_HEIGHT,
        pad=SCATTER_PAD,
        dots=[ScatterDot(x=x_of(x), y=y_of(y), label=label) for label, x, y in points],
        x_ticks=[Tick(x_of(value), f"{value:.0f}") for value in x_steps],
        y_ticks=[Tick(y_of(value), tick_label(value)) for value in y_values],
    )


def series_chart(labels: list[str], values: list[float | None]) -> TrendChart | None:
    """A metric's trend on the index trend's time axis: the same labels at the same x, its own
    y scale; a period without a value is left as a gap in the points, never filled in."""
    known = [value for value in values if value is not None]
    if len(labels) < 2 or not known:
        return None
    low, high = padded_range(known)
    step = (WIDTH - 2 * PAD) / (len(labels) - 1)

    def y_of(value: float) -> float:
        return PAD + (high - value) / (high - low) * (HEIGHT - 2 * PAD)

    return TrendChart(
        width=WIDTH,
        height=HEIGHT,
        points=[
            ChartPoint(x=PAD + index * step, y=y_of(value), label=label, value=value)
            for index, (label, value) in enumerate(zip(labels, values, strict=True))
            if value is not None
        ],
        gridlines=[(y_of(value), round(value)) for value in (low, (low + high) / 2, high)],
    )
