"""Server-rendered SVG: the trend of a team's index over cycles. No script, no inline style."""

from dataclasses import dataclass

WIDTH, HEIGHT, PAD = 320, 140, 28


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    label: str
    value: float


@dataclass(frozen=True)
class TrendChart:
    width: int
    height: int
    points: list[ChartPoint]
    gridlines: list[tuple[float, int]]

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


def trend_chart(points: list[tuple[str, float]]) -> TrendChart | None:
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
            ChartPoint(x=PAD + index * step, y=y_of(value), label=label, value=value)
            for index, (label, value) in enumerate(points)
        ],
        gridlines=[(y_of(value), value) for value in (0, 50, 100)],
    )
