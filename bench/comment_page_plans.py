"""The query plan of a page of comments, at the top of a cycle's comments and at a small unit.

Usage:
    .venv/bin/python bench/comment_page_plans.py [--comments 150000] [--database sqlite|postgres]
        [--postgres-database pulse_bench_comment_pages]

Stores `--comments` released comments for one cycle (a top unit showing all of them, a leaf
showing the last 12), reads each unit's first page with pulse.comment_pages, and prints the
plan of the one query that page ran (SQLite: EXPLAIN QUERY PLAN; PostgreSQL: EXPLAIN ANALYZE
with buffers). Both should be an index search on (cycle, position) reading one page's rows.
"""

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import configure_django  # noqa: E402

LEAF_COMMENTS = 12


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=150_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--postgres-database", default="pulse_bench_comment_pages")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pulse-bench-") as scratch:
        configure_django(args.database, Path(scratch), args.postgres_database)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        from django.utils import timezone

        from pulse.comment_pages import comments_page
        from pulse.models import ReleasedComment, ReleasedUnit
        from surveys.models import Cadence, Cycle, CycleTeam

        now = timezone.now()
        cycle = Cycle.objects.create(
            cadence=Cadence.objects.create(name="Monthly", kind="monthly"),
            period="2026-11",
            kind="monthly",
            opens_at=now,
            closes_at=now,
            k=5,
            k_comment=10,
        )
        top_team = CycleTeam.objects.create(
            cycle=cycle, name="Top", manager_name="", eligible_count=1
        )
        leaf_team = CycleTeam.objects.create(
            cycle=cycle, name="Leaf", parent=top_team, manager_name="", eligible_count=1
        )
        shown = {"status": "released", "eligible": 1, "respondents": 1, "comments_released": True}
        top = ReleasedUnit.objects.create(
            cycle=cycle, unit=top_team, comments_count=args.comments, **shown
        )
        leaf_from = args.comments - LEAF_COMMENTS
        leaf = ReleasedUnit.objects.create(
            cycle=cycle,
            unit=leaf_team,
            parent_unit=top_team,
            comments_from=leaf_from,
            comments_count=LEAF_COMMENTS,
            **shown,
        )
        ReleasedComment.objects.bulk_create(
            (
                ReleasedComment(
                    cycle=cycle,
                    released_unit=top if position < leaf_from else leaf,
                    position=position,
                    text=f"Comment {position}",
                )
                for position in range(args.comments)
            ),
            batch_size=5000,
        )
        explain = "EXPLAIN QUERY PLAN "
        if connection.vendor == "postgresql":
            explain = "EXPLAIN (ANALYZE, BUFFERS) "
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE pulse_releasedcomment")
        for name, unit in (("top unit", top), ("leaf", leaf)):
            with CaptureQueriesContext(connection) as captured:
                page = comments_page(unit)
            print(f"{name}: {len(page.texts)} comments, {len(captured)} query")
            with connection.cursor() as cursor:
                cursor.execute(explain + captured.captured_queries[-1]["sql"])
                for row in cursor.fetchall():
                    print("   ", " ".join(str(column) for column in row))


if __name__ == "__main__":
    main()
