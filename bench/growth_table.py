"""The growth table of bench/growth.py: one row per step, one column group per size, the
growth factor between the two largest sizes; and, read back from docs/benchmarks.md, an
estimate of how long a run at another size will take."""

import math
import re
from dataclasses import dataclass

SECTION = "## Growth from 10k to 1M"
TOTAL = "whole size, bench set-up included"
# The goals for 1,000,000 people on this machine, by step.
GOALS = {
    "launch, first cycle": "<= 60 s",
    "launch, second cycle": "<= 60 s",
    "release, first cycle": "<= 60 s",
    "release, second cycle (with trends)": "<= 60 s",
    "dashboard: front-line manager": "p95 <= 300 ms",
    "dashboard: department head": "p95 <= 300 ms",
    "dashboard: HR top unit": "p95 <= 300 ms",
    "HR heatmap": "p95 <= 300 ms",
}
MEMORY_GOAL = "peak <= 1 GB"


@dataclass(frozen=True)
class Cell:
    seconds: float  # what growth compares: a step's wall time, a page's p95
    text: str  # how the time shows in the table
    peak_mib: float | None = None
    queries: int | None = None


def step_cell(seconds: float, peak_mib: float, queries: int, note: str = "") -> Cell:
    return Cell(seconds, f"{seconds:.1f} s{note}", peak_mib, queries)


def page_cell(
    p50_ms: float, p95_ms: float, kilobytes: float, peak_mib: float, queries: int
) -> Cell:
    text = f"{p50_ms:.0f} / {p95_ms:.0f} ms, {kilobytes:,.0f} KB"
    return Cell(p95_ms / 1000, text, peak_mib, queries)


def growth_table(figures: dict[int, dict[str, Cell]]) -> str:
    """Markdown: `figures` is people → step → cell, the steps in the order they ran."""
    sizes = sorted(figures)
    steps = list(dict.fromkeys(step for size in sizes for step in figures[size]))
    header = ["step", "goal at 1M"]
    for size in sizes:
        header += [f"{size:,}: time", "peak RSS", "SQL"]
    if len(sizes) > 1:
        header.append(f"growth {sizes[-2]:,} -> {sizes[-1]:,} (time, memory)")
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for step in steps:
        goal = GOALS.get(step, "")
        row = [step, f"{goal}; {MEMORY_GOAL}" if goal else ("" if step == TOTAL else MEMORY_GOAL)]
        for size in sizes:
            cell = figures[size].get(step)
            row += cell_columns(cell)
        if len(sizes) > 1:
            row.append(growth(figures[sizes[-2]].get(step), figures[sizes[-1]].get(step)))
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def cell_columns(cell: Cell | None) -> list[str]:
    if cell is None:
        return ["", "", ""]
    peak = "" if cell.peak_mib is None else f"{cell.peak_mib:,.0f} MiB"
    queries = "" if cell.queries is None else f"{cell.queries:,}"
    return [cell.text, peak, queries]


def growth(smaller: Cell | None, larger: Cell | None) -> str:
    if smaller is None or larger is None or smaller.seconds <= 0 or larger.seconds <= 0:
        return ""
    text = f"{larger.seconds / smaller.seconds:.1f}x"
    if smaller.peak_mib and larger.peak_mib:
        text += f", {larger.peak_mib / smaller.peak_mib:.1f}x"
    return text


def totals_in(markdown: str) -> dict[int, float]:
    """people → seconds of the whole size, from a growth table written by growth_table()."""
    header = next((line for line in markdown.splitlines() if line.startswith("| step |")), "")
    sizes = [int(size.replace(",", "")) for size in re.findall(r"\| ([\d,]+): time", header)]
    total = next((line for line in markdown.splitlines() if line.startswith(f"| {TOTAL} |")), "")
    times = [float(seconds) for seconds in re.findall(r"\| ([\d.]+) s \|", total)]
    return dict(zip(sizes, times, strict=False)) if len(times) == len(sizes) else {}


def estimate_seconds(known: dict[int, float], people: int) -> float | None:
    """The whole size's seconds at `people`: measured if known, else extrapolated from the
    two nearest sizes below it at their own growth rate, never below linear (fixed costs
    flatter the small sizes)."""
    if people in known:
        return known[people]
    below = sorted(size for size in known if size < people)
    if not below:
        return None
    largest = below[-1]
    exponent = 1.0
    if len(below) > 1:
        smaller = below[-2]
        exponent = max(1.0, math.log(known[largest] / known[smaller]) / math.log(largest / smaller))
    return known[largest] * (people / largest) ** exponent
