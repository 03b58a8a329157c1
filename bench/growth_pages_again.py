"""The growth bench's pages measured again on the database its last PostgreSQL run left, after
a change to the pages alone: the dashboards of a front-line manager, a department head and
HR's top unit, and HR's heatmap, through gunicorn exactly as bench/growth.py measures them
(the same viewers, the second cycle, the static page as baseline), without building the
organisation again.

Usage:
    .venv/bin/python bench/growth_pages_again.py [--requests 30] [--no-docs]

The database is PostgreSQL `pulse_bench_growth` as `bench/growth.py --database postgres`
left it (its largest size); it is migrated, never rebuilt. Writes docs/benchmarks.md,
section "Growth pages measured again".
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import configure_django, machine, replace_section  # noqa: E402
from bench.growth import POSTGRES_DATABASE, REQUESTS, dashboard_pages  # noqa: E402
from bench.growth_pages import measure_page  # noqa: E402

SECTION = "## Growth pages measured again"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=REQUESTS, help="of each page")
    parser.add_argument("--no-docs", action="store_true", help="do not update the docs")
    args = parser.parse_args()
    os.environ.update(
        ALLOWED_HOSTS="127.0.0.1,testserver",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
    )
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="pulse-bench-") as scratch_dir:
        scratch = Path(scratch_dir)
        configure_django("postgres", scratch, POSTGRES_DATABASE, fresh=False)
        from django.contrib.auth.models import User

        from surveys.models import Cycle
        from teams.models import Person

        people = Person.objects.count()
        cycle = Cycle.objects.filter(release__isnull=False).order_by("-pk").first()
        assert cycle is not None, "no released cycle: run bench/growth.py first"
        hr = User.objects.get(username="hr@example.com")
        rows = []
        for label, page in dashboard_pages(cycle.pk, hr).items():
            result = measure_page(page, args.requests, scratch)
            rows.append(
                f"| {label} | {result.p50_ms:.0f} / {result.p95_ms:.0f} ms | "
                f"{result.kilobytes:,.0f} KB | {result.peak_mib:,.0f} MiB | {result.queries} |"
            )
    load = f"{load_before:.1f} / {os.getloadavg()[0]:.1f}"
    table = "\n".join(
        [
            "| page | p50 / p95 | size | worker's peak RSS | SQL |",
            "| --- | --- | --- | --- | --- |",
            *rows,
        ]
    )
    print(table)
    if args.no_docs:
        return
    command = f".venv/bin/python bench/growth_pages_again.py --requests {args.requests}"
    replace_section(
        SECTION,
        f"""
The pages of "Growth from 10k to 1M" measured again on the database its run left
({people:,} people, its second cycle), through gunicorn as there, after changes to the
pages alone. Command: `{command}`. Machine: {machine()}; load average {load} (1 minute,
before / after).

{table}
""",
    )


if __name__ == "__main__":
    main()
