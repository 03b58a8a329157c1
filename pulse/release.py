"""Release: compute a closed cycle's results once, on its frozen snapshot, and store them.

Runs from pulse's tick after the cycle's last ballots were flushed. Every figure passes the
disclosure rules of pulse.disclosure, each with the group it describes:
- a unit's overall figures: respondents, at k;
- each domain, each question's mean and eNPS: the people who answered it, at k (skips differ);
- answer distributions: at 10, the threshold for per-question distributions;
- comments: respondents, at k_comment.
The release is written in one transaction and never changed afterwards.
"""

import logging
import secrets
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict

from django.db import IntegrityError, transaction

from pulse.disclosure import Suppression, UnitCounts, decide_publication
from pulse.release_inputs import ballots_by_unit, comments_by_unit, has_pending_ballots
from pulse.release_models import CycleRelease, ReleasedComment, ReleasedUnit, ReleaseStatus
from pulse.scoring import Ballot, Figures, Question, score
from pulse.trends import link_trends
from surveys.instrument import Domain
from surveys.models import Cycle, CycleState
from surveys.selectors import reporting_units

logger = logging.getLogger(__name__)
DISTRIBUTION_K = 10
ENPS = "enps"


def releasable_cycle_ids() -> list[int]:
    # Oldest first: a release links its trends to the releases before it.
    return list(
        Cycle.objects.filter(state=CycleState.CLOSED, release__isnull=True)
        .order_by("closes_at")
        .values_list("pk", flat=True)
    )


def release_cycle(*, cycle_id: int) -> bool:
    """Compute and store the results of a closed cycle. True if this call released it."""
    cycle = Cycle.objects.get(pk=cycle_id)
    if cycle.state != CycleState.CLOSED or has_pending_ballots(cycle_id):
        return False
    try:
        with transaction.atomic():
            release = CycleRelease.objects.create(cycle=cycle, respondents=0)
            release.respondents = write_release(cycle)
            release.save(update_fields=["respondents"])
    except IntegrityError:
        return False  # another tick released it first
    logger.info("Cycle %s released", cycle_id)
    return True


def write_release(cycle: Cycle) -> int:
    units = reporting_units(cycle.pk)
    parent_of = {unit.pk: unit.parent_unit_id for unit in units}
    own_ballots = ballots_by_unit(cycle.pk)
    questions = [Question(item.key, item.domain, item.reverse_scored) for item in cycle.items.all()]
    subtree_ballots = roll_up(parent_of, own_ballots)

    def decide(count: Callable[[Ballot], bool], k: int) -> dict[int, Suppression | None]:
        return decide_publication(
            [
                UnitCounts(
                    unit_id=unit.pk,
                    parent_id=unit.parent_unit_id,
                    own_eligible=unit.unit_eligible_count,
                    own_respondents=sum(1 for b in own_ballots.get(unit.pk, []) if count(b)),
                )
                for unit in units
            ],
            k=k,
        )

    overall = decide(lambda ballot: True, cycle.k)
    comments_decision = decide(lambda ballot: True, cycle.k_comment)
    measures = {q.key: decide(answered(q.key), cycle.k) for q in questions}
    distributions = {q.key: decide(answered(q.key), DISTRIBUTION_K) for q in questions}
    domains = {
        domain: decide(answered_any([q.key for q in questions if q.domain == domain]), cycle.k)
        for domain in Domain.values
    }
    enps = decide(lambda ballot: ballot.enps is not None, cycle.k)

    eligible = roll_up_counts(parent_of, {unit.pk: unit.unit_eligible_count for unit in units})
    released = []
    for unit in units:
        reason = overall[unit.pk]
        ballots = subtree_ballots.get(unit.pk, [])
        figures = {}
        if reason is None:
            figures = unit_figures(
                score(ballots, questions),
                questions,
                question_ok={key: decision[unit.pk] for key, decision in measures.items()},
                distribution_ok={k: d[unit.pk] is None for k, d in distributions.items()},
                domain_ok={d: decision[unit.pk] is None for d, decision in domains.items()},
                enps_ok=enps[unit.pk] is None,
            )
        released.append(
            ReleasedUnit(
                cycle=cycle,
                unit_id=unit.pk,
                parent_unit_id=unit.parent_unit_id,
                status=ReleaseStatus.RELEASED if reason is None else ReleaseStatus.SUPPRESSED,
                reason=reason.value if reason else "",
                eligible=eligible[unit.pk],
                respondents=len(ballots) if reason is None else None,
                figures=figures,
                comments_released=reason is None and comments_decision[unit.pk] is None,
            )
        )
    ReleasedUnit.objects.bulk_create(released, batch_size=1000)
    write_comments(cycle.pk, released, parent_of)
    link_trends(cycle=cycle, released=released)
    return sum(len(ballots) for ballots in own_ballots.values())


def answered(key: str) -> Callable[[Ballot], bool]:
    return lambda ballot: key in ballot.answers


def answered_any(keys: list[str]) -> Callable[[Ballot], bool]:
    return lambda ballot: any(key in ballot.answers for key in keys)


def roll_up(parent_of: dict[int, int | None], own: dict[int, list]) -> dict[int, list]:
    """Each unit's own items plus those of every unit below it."""
    rolled: dict[int, list] = defaultdict(list)
    for unit_id, items in own.items():
        current: int | None = unit_id
        while current is not None:
            rolled[current].extend(items)
            current = parent_of.get(current)
    return rolled


def roll_up_counts(parent_of: dict[int, int | None], own: dict[int, int]) -> dict[int, int]:
    totals: dict[int, int] = defaultdict(int)
    for unit_id, count in own.items():
        current: int | None = unit_id
        while current is not None:
            totals[current] += count
            current = parent_of.get(current)
    return totals


def unit_figures(
    figures: Figures,
    questions: list[Question],
    *,
    question_ok: dict[str, Suppression | None],
    distribution_ok: dict[str, bool],
    domain_ok: dict[str, bool],
    enps_ok: bool,
) -> dict:
    domains = {
        domain: asdict(figure)
        for domain, figure in figures.domains.items()
        if domain_ok.get(domain)
    }
    out_questions = {}
    for question in questions:
        reason = question_ok[question.key]
        figure = figures.questions.get(question.key)
        if reason is None and figure is not None:
            out_questions[question.key] = {
                "status": ReleaseStatus.RELEASED,
                "reason": None,
                "respondents": figure.respondents,
                "mean": figure.mean,
                "favorable": figure.favorable,
                "distribution": list(figure.distribution)
                if distribution_ok[question.key]
                else None,
            }
        else:
            out_questions[question.key] = {
                "status": ReleaseStatus.SUPPRESSED,
                "reason": (reason or Suppression.TOO_FEW_RESPONSES).value,
                "respondents": None,
                "mean": None,
                "favorable": None,
                "distribution": None,
            }
    complete = len(domains) == len(Domain.values)
    return {
        "index": sum(d["score"] for d in domains.values()) / len(domains) if complete else None,
        "enps": figures.enps if enps_ok else None,
        "enps_respondents": figures.enps_respondents if enps_ok else None,
        "domains": domains,
        "questions": out_questions,
    }


def write_comments(cycle_id: int, released: list[ReleasedUnit], parent_of: dict) -> None:
    own_comments = comments_by_unit(cycle_id)
    rolled = roll_up(parent_of, own_comments)
    rows = []
    for released_unit in released:
        if not released_unit.comments_released:
            continue
        texts = list(rolled.get(released_unit.unit_id, []))
        secrets.SystemRandom().shuffle(texts)
        rows.extend(ReleasedComment(released_unit=released_unit, text=text) for text in texts)
    ReleasedComment.objects.bulk_create(rows, batch_size=1000)
