"""What each disclosure rule costs: the share of a released cycle's figures it hides.

Usage:
    .venv/bin/python bench/disclosure_cost.py          # the demo organisation (seed_demo)

bench/release_and_dashboard.py calls `hidden_shares` on the bench organisation too.

A cycle's figures are, per reporting unit, its overall result, its four domain scores and its
eNPS. Each rule is measured cumulatively, on the cycle's stored responses and viewers:
1. primary, ignoring viewers: at least k eligible and k respondents;
2. + the region rule, ignoring viewers (what releases did before viewers were counted);
3. + viewers counted against k (what a release does now).
Also the share of released units shown coarser because their people may differ by a few.
"""

import os
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def hidden_shares(cycle_id: int, ballots: dict[int, list[Any]]) -> dict[str, float]:
    """`ballots`: `pulse.release_inputs.ballots_by_unit(cycle_id)`, read before the release,
    which deletes the stored answers."""
    from pulse.disclosure import UnitCounts, decide_publication, subtree_totals
    from pulse.release_models import ReleasedUnit
    from surveys.instrument import Domain
    from surveys.models import Cycle, CycleItem
    from surveys.selectors import reporting_units, viewers_per_unit
    from teams.tree_walks import IdTree

    cycle = Cycle.objects.get(pk=cycle_id)
    units = reporting_units(cycle_id)
    viewers = viewers_per_unit(cycle_id)
    domain_of = dict(CycleItem.objects.filter(cycle=cycle).values_list("key", "domain"))
    measures = {
        "overall": lambda ballot: True,
        "enps": lambda ballot: ballot.enps is not None,
        **{
            domain: (lambda d: lambda ballot: any(domain_of.get(k) == d for k in ballot.answers))(
                domain
            )
            for domain in Domain.values
        },
    }
    hidden: dict[str, int] = defaultdict(int)
    total = 0
    for counted in measures.values():

        def counts(
            with_viewers: bool, counted: Callable[[Any], bool] = counted
        ) -> list[UnitCounts]:
            return [
                UnitCounts(
                    unit.id,
                    unit.parent_unit_id,
                    unit.unit_eligible_count,
                    sum(1 for b in ballots.get(unit.id, []) if counted(b)),
                    viewers.get(unit.id, 0) if with_viewers else 0,
                )
                for unit in units
            ]

        plain = counts(False)
        by_id = {unit.unit_id: unit for unit in plain}
        tree = IdTree({unit.unit_id: unit.parent_id for unit in plain})
        eligible = subtree_totals(tree, {u: unit.own_eligible for u, unit in by_id.items()})
        respondents = subtree_totals(tree, {u: unit.own_respondents for u, unit in by_id.items()})
        total += len(units)
        hidden["primary"] += sum(
            1 for u in by_id if eligible[u] < cycle.k or respondents[u] < cycle.k
        )
        hidden["region"] += sum(1 for r in decide_publication(plain, k=cycle.k).values() if r)
        hidden["viewers"] += sum(
            1 for r in decide_publication(counts(True), k=cycle.k).values() if r
        )
    released = ReleasedUnit.objects.filter(cycle=cycle, status="released")
    coarse = sum(1 for r in released if r.figures.get("precision", 1) > 1)
    return {
        "units": len(units),
        "viewer_people": sum(viewers.values()),
        "invited": cycle.invited_count,
        **{rule: hidden[rule] / total for rule in ("primary", "region", "viewers")},
        "coarse": coarse / max(1, released.count()),
    }


def describe(shares: dict[str, float]) -> str:
    return (
        f"{shares['units']} units, {shares['viewer_people']} viewers of "
        f"{shares['invited']} invited: "
        f"hidden {shares['primary']:.0%} by the primary rule alone, {shares['region']:.0%} "
        f"with the region rule, {shares['viewers']:.0%} with viewers counted; "
        f"{shares['coarse']:.0%} of released units shown coarser"
    )


def main() -> None:
    from bench.common import configure_django

    # The demo's releases email their managers: keep those in memory, there is no mail server.
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    with tempfile.TemporaryDirectory(prefix="pulse-cost-") as scratch:
        configure_django("sqlite", Path(scratch), "unused")
        from operations.demo import seed_demo_results
        from pulse.release_inputs import ballots_by_unit
        from pulse.scheduler import run_pulse_tick
        from surveys.demo import seed_demo_cadences
        from teams.demo import seed_demo_org

        seed_demo_org()
        cycles = seed_demo_results(cadence=seed_demo_cadences()[0], release=False)
        ballots = {cycle.pk: ballots_by_unit(cycle.pk) for cycle in cycles}
        run_pulse_tick()
        for cycle in sorted(cycles, key=lambda cycle: cycle.closes_at):
            print(f"demo {cycle.period}: {describe(hidden_shares(cycle.pk, ballots[cycle.pk]))}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "bench"))
    main()
