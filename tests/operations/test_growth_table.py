"""The growth table that bench/growth.py writes into docs/benchmarks.md, and the run-time
estimate it reads back from it before a larger run."""

import pytest

from bench.growth_table import (
    TOTAL,
    Cell,
    estimate_seconds,
    growth_table,
    page_cell,
    step_cell,
    totals_in,
)


def two_sizes() -> dict[int, dict[str, Cell]]:
    return {
        10_000: {
            "launch, first cycle": step_cell(2.0, 150.0, 24),
            "HR heatmap": page_cell(40.0, 50.0, 7.6, 120.0, 14),
            TOTAL: Cell(100.0, "100.0 s"),
        },
        100_000: {
            "launch, first cycle": step_cell(25.0, 450.0, 24),
            "HR heatmap": page_cell(60.0, 80.0, 7.6, 130.0, 14),
            TOTAL: Cell(1_000.0, "1000.0 s"),
        },
    }


def test_each_step_is_a_row_with_a_column_group_per_size_and_the_growth_between_them() -> None:
    lines = growth_table(two_sizes()).splitlines()

    assert lines[0] == (
        "| step | goal at 1M | 10,000: time | peak RSS | SQL | 100,000: time | peak RSS | SQL "
        "| growth 10,000 -> 100,000 (time, memory) |"
    )
    assert lines[2] == (
        "| launch, first cycle | <= 60 s; peak <= 1 GB | 2.0 s | 150 MiB | 24 | 25.0 s "
        "| 450 MiB | 24 | 12.5x, 3.0x |"
    )
    # A page grows by its p95.
    assert lines[3].startswith("| HR heatmap | p95 <= 300 ms; peak <= 1 GB | 40 / 50 ms, 8 KB")
    assert lines[3].endswith("| 1.6x, 1.1x |")


def test_the_totals_of_a_written_table_are_read_back() -> None:
    assert totals_in(growth_table(two_sizes())) == {10_000: 100.0, 100_000: 1_000.0}


def test_a_table_without_totals_gives_no_estimate() -> None:
    assert totals_in("| step | goal at 1M | 10,000: time |\n| --- |") == {}


def test_a_larger_size_is_estimated_at_the_growth_seen_below_it_never_below_linear() -> None:
    # Ten times the people took 20 times as long: the next tenfold is taken to do so again.
    assert estimate_seconds({10_000: 50.0, 100_000: 1_000.0}, 1_000_000) == pytest.approx(20_000)
    # Fixed costs make the small sizes look sub-linear; the estimate stays linear.
    assert estimate_seconds({10_000: 500.0, 100_000: 1_000.0}, 1_000_000) == pytest.approx(10_000)
    assert estimate_seconds({100_000: 1_000.0}, 1_000_000) == pytest.approx(10_000)
    assert estimate_seconds({100_000: 1_000.0}, 100_000) == 1_000.0
    assert estimate_seconds({100_000: 1_000.0}, 10_000) is None


def test_a_page_that_failed_at_the_larger_size_shows_its_failure_and_no_growth() -> None:
    figures = two_sizes()
    figures[100_000]["HR heatmap"] = Cell(0.0, "failed: gunicorn exited with 1")

    row = growth_table(figures).splitlines()[3]

    assert "| failed: gunicorn exited with 1 |  |  |" in row
    assert row.endswith("|  |")
