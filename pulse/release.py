"""Release: compute a closed cycle's results once, on its frozen snapshot, and store them.

Runs from pulse's tick after the cycle's last ballots were flushed. Every figure passes the
disclosure rules of pulse.disclosure, each with the group it describes and the viewers invited
in it (pulse.disclosure says why they count against k):
- a unit's overall figures: respondents, at k;
- each domain, each question's mean and eNPS: the people who answered it, at k (skips differ);
- answer distributions: at 10, the threshold for per-question distributions;
- comments: respondents, at k_comment;
- follow-through (did we do what we said on our focus?), scored 0-100 like a domain from the
  follow-through answers of the unit's subtree: the people who answered it, at k, published
  only for units that were asked it (shown a shared focus). Every unit below a focused unit is
  focused too, so a published follow-through figure covers only people who were asked.
Figures are stored rounded exactly as the pages show them, so the API publishes nothing finer.
The release is written in one transaction and never changed afterwards.
"""

import logging
import math
import secrets
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.db import IntegrityError, transaction

from common.compaction import compact
from pulse.disclosure import Suppression, UnitCounts, decide_publication
from pulse.models import Comment, Response
from pulse.release_inputs import ballots_by_unit, comments_by_unit, has_pending_ballots
from pulse.release_models import (
    CycleRelease,
    DomainFigures,
    QuestionFigures,
    ReleasedComment,
    ReleasedUnit,
    ReleaseStatus,
    UnitFigures,
)
from pulse.scoring import Ballot, DomainFigure, Figures, Question, score
from pulse.trends import (
    FINE_PRECISION,
    Comparison,
    compare_with_earlier,
    figure_counts_of,
    link_trends,
)
from surveys.instrument import FOLLOW_THROUGH_KEY, Domain
from surveys.models import Cycle, CycleState, StuckReason
from surveys.selectors import ReportingUnit, reporting_units, viewers_per_unit

logger = logging.getLogger(__name__)
DISTRIBUTION_K = 10
Item = TypeVar("Item")
Decision = dict[int, Suppression | None]


def releasable_cycle_ids() -> list[int]:
    # Oldest first: a release compares itself with the releases before it.
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
        # Durable: a release never runs inside another transaction (the door's, a close's).
        with transaction.atomic(durable=True):
            release = CycleRelease.objects.create(cycle=cycle, respondents=0)
            release.respondents = write_release(cycle)
            release.save(update_fields=["respondents"])
            discard_raw_answers(cycle_id)
    except IntegrityError:
        return False  # another tick released it first
    Cycle.objects.clear_stuck(cycle_id, reasons=StuckReason)
    compact(Response._meta.db_table, Comment._meta.db_table)
    logger.info("Cycle %s released", cycle_id)
    return True


def discard_raw_answers(cycle_id: int) -> None:
    """Once released, a cycle's answers are deleted: only the released figures stay. Kept, the
    answers of each unit, survey after survey, would let someone holding the database match
    two surveys' answers and read off the answer of the one person who joined between them."""
    Response.objects.filter(cycle_id=cycle_id).delete()
    Comment.objects.filter(cycle_id=cycle_id).delete()


@dataclass(frozen=True)
class Decisions:
    """Per unit, whether each kind of figure may be published."""

    overall: Decision
    comments: Decision
    questions: dict[str, Decision]
    distributions: dict[str, Decision]
    domains: dict[str, Decision]
    enps: Decision
    follow_through: Decision


def decide_all(
    cycle: Cycle,
    units: list[ReportingUnit],
    own_ballots: dict[int, list[Ballot]],
    questions: list[Question],
) -> Decisions:
    viewers = viewers_per_unit(cycle.pk)

    def decide(count: Callable[[Ballot], bool], k: int) -> Decision:
        return decide_publication(
            [
                UnitCounts(
                    unit_id=unit.id,
                    parent_id=unit.parent_unit_id,
                    own_eligible=unit.unit_eligible_count,
                    own_respondents=sum(1 for b in own_ballots.get(unit.id, []) if count(b)),
                    own_viewers=viewers.get(unit.id, 0),
                )
                for unit in units
            ],
            k=k,
        )

    return Decisions(
        overall=decide(lambda ballot: True, cycle.k),
        comments=decide(lambda ballot: True, cycle.k_comment),
        questions={q.key: decide(answered(q.key), cycle.k) for q in questions},
        distributions={q.key: decide(answered(q.key), DISTRIBUTION_K) for q in questions},
        domains={
            domain: decide(answered_any([q.key for q in questions if q.domain == domain]), cycle.k)
            for domain in Domain.values
        },
        enps=decide(lambda ballot: ballot.enps is not None, cycle.k),
        # Decided over every unit with the item's own counts, then published only where it
        # was asked: leaving out published figures merges regions, never splits one.
        follow_through=decide(answered(FOLLOW_THROUGH_KEY), cycle.k),
    )


def write_release(cycle: Cycle) -> int:
    units = reporting_units(cycle.pk)
    parent_of = {unit.id: unit.parent_unit_id for unit in units}
    own_ballots = ballots_by_unit(cycle.pk)
    items = list(cycle.items.all())
    # The follow-through item is of no domain: it is released as its own figure.
    questions = [
        Question(item.key, item.domain, item.reverse_scored)
        for item in items
        if item.key != FOLLOW_THROUGH_KEY
    ]
    asked_follow_through = any(item.key == FOLLOW_THROUGH_KEY for item in items)
    subtree_ballots = roll_up(parent_of, own_ballots)
    decisions = decide_all(cycle, units, own_ballots, questions)
    published = {unit.id: unit.team_id for unit in units if decisions.overall[unit.id] is None}
    domain_keys = {
        domain: [q.key for q in questions if q.domain == domain] for domain in Domain.values
    }
    comparisons = compare_with_earlier(
        cycle=cycle,
        team_of_unit=published,
        respondents={unit.id: len(subtree_ballots.get(unit.id, [])) for unit in units},
        figure_counts={
            unit_id: figure_counts_of(
                subtree_ballots.get(unit_id, []),
                domain_keys=domain_keys,
                question_keys=[q.key for q in questions],
            )
            for unit_id in published
        },
    )

    eligible = roll_up_counts(parent_of, {unit.id: unit.unit_eligible_count for unit in units})
    released = []
    for unit in units:
        reason = decisions.overall[unit.id]
        ballots = subtree_ballots.get(unit.id, [])
        comparison = comparisons.get(unit.id, Comparison(trend_from=[], precision=FINE_PRECISION))
        figures: UnitFigures = {}
        if reason is None:
            figures = unit_figures(
                score(ballots, questions),
                questions,
                unit_id=unit.id,
                decisions=decisions,
                precision=comparison.precision,
            )
            if asked_follow_through and unit.asks_follow_through:
                add_follow_through(
                    figures,
                    follow_through_figure(ballots),
                    reason=decisions.follow_through[unit.id],
                    precision=comparison.precision,
                )
        released.append(
            ReleasedUnit(
                cycle=cycle,
                unit_id=unit.id,
                parent_unit_id=unit.parent_unit_id,
                status=ReleaseStatus.RELEASED if reason is None else ReleaseStatus.SUPPRESSED,
                reason=reason.value if reason else "",
                eligible=eligible[unit.id],
                respondents=len(ballots) if reason is None else None,
                figures=figures,
                comments_released=reason is None and decisions.comments[unit.id] is None,
            )
        )
    ReleasedUnit.objects.bulk_create(released, batch_size=1000)
    write_comments(cycle.pk, released, parent_of)
    link_trends(released=released, comparisons=comparisons)
    return sum(len(ballots) for ballots in own_ballots.values())


def follow_through_figure(ballots: list[Ballot]) -> DomainFigure | None:
    """The follow-through answers scored like a domain of one item; None if nobody answered."""
    item = Question(FOLLOW_THROUGH_KEY, FOLLOW_THROUGH_KEY, reverse_scored=False)
    return score(ballots, [item]).domains.get(FOLLOW_THROUGH_KEY)


def add_follow_through(
    figures: UnitFigures,
    figure: DomainFigure | None,
    *,
    reason: Suppression | None,
    precision: int,
) -> None:
    """The unit's follow-through score where the rules allow it, else why it is hidden."""
    if reason is None and figure is not None:
        figures["follow_through"] = domain_figures(figure, precision=precision)
    else:
        figures["hidden"]["follow_through"] = (reason or Suppression.TOO_FEW_RESPONSES).value


def answered(key: str) -> Callable[[Ballot], bool]:
    return lambda ballot: key in ballot.answers


def answered_any(keys: list[str]) -> Callable[[Ballot], bool]:
    return lambda ballot: any(key in ballot.answers for key in keys)


def roll_up(parent_of: dict[int, int | None], own: dict[int, list[Item]]) -> dict[int, list[Item]]:
    """Each unit's own items plus those of every unit below it."""
    rolled: dict[int, list[Item]] = defaultdict(list)
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


def rounded(value: float, precision: int) -> int:
    """Half up, to a multiple of `precision`: the figure exactly as a page shows it."""
    return int(math.floor(value / precision + 0.5) * precision)


def domain_figures(figure: DomainFigure, *, precision: int) -> DomainFigures:
    """A domain's (or the follow-through item's) figures as stored, rounded as pages show them.

    The spread serves only the change verdict (pulse.loop). Stored exactly, the spreads of two
    releases give away the one person who joined between them, whatever steps their scores are
    shown in; so a fine release keeps it in whole points, like its scores, and a coarse one not
    at all: its scores are off by up to half a step, more than a change's confidence interval
    could honestly absorb, so it gets no verdict (docs/anonymity.md, "Across surveys")."""
    stored = DomainFigures(
        score=rounded(figure.score, precision),
        favorable=rounded(figure.favorable, precision),
        respondents=figure.respondents,
    )
    if precision == FINE_PRECISION:
        stored["spread"] = rounded(figure.spread, FINE_PRECISION)
    return stored


def unit_figures(
    figures: Figures,
    questions: list[Question],
    *,
    unit_id: int,
    decisions: Decisions,
    precision: int,
) -> UnitFigures:
    domains: dict[str, DomainFigures] = {
        domain: domain_figures(figure, precision=precision)
        for domain, figure in figures.domains.items()
        if decisions.domains[domain][unit_id] is None
    }
    out_questions: dict[str, QuestionFigures] = {}
    for question in questions:
        reason = decisions.questions[question.key][unit_id]
        figure = figures.questions.get(question.key)
        if reason is None and figure is not None:
            # A coarse unit shows no distribution: two exact distributions a few people apart
            # would give those people's answers away.
            show_distribution = (
                decisions.distributions[question.key][unit_id] is None
                and precision == FINE_PRECISION
            )
            out_questions[question.key] = {
                "status": ReleaseStatus.RELEASED,
                "reason": None,
                "respondents": figure.respondents,
                "mean": round(figure.mean, 1 if precision == FINE_PRECISION else 0),
                "favorable": rounded(figure.favorable, precision),
                "distribution": list(figure.distribution) if show_distribution else None,
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
    enps_ok = decisions.enps[unit_id] is None and figures.enps is not None
    hidden = {
        domain: (decisions.domains[domain][unit_id] or Suppression.TOO_FEW_RESPONSES).value
        for domain in Domain.values
        if domain not in domains
    }
    if not enps_ok:
        hidden["enps"] = (decisions.enps[unit_id] or Suppression.TOO_FEW_RESPONSES).value
    return {
        # From the rounded domain scores, so the index adds no precision to what is shown.
        "index": rounded(sum(d["score"] for d in domains.values()) / len(domains), precision)
        if complete
        else None,
        # eNPS spans 200 points, so one person moves it twice as far as a score.
        "enps": rounded(figures.enps, precision if precision == FINE_PRECISION else 2 * precision)
        if enps_ok and figures.enps is not None
        else None,
        "enps_respondents": figures.enps_respondents if enps_ok else None,
        "precision": precision,
        "hidden": hidden,
        "domains": domains,
        "questions": out_questions,
    }


def write_comments(
    cycle_id: int, released: list[ReleasedUnit], parent_of: dict[int, int | None]
) -> None:
    own_comments = comments_by_unit(cycle_id)
    rolled = roll_up(parent_of, own_comments)
    rows: list[ReleasedComment] = []
    for released_unit in released:
        if not released_unit.comments_released:
            continue
        texts = list(rolled.get(released_unit.unit_id, []))
        secrets.SystemRandom().shuffle(texts)
        rows.extend(ReleasedComment(released_unit=released_unit, text=text) for text in texts)
    ReleasedComment.objects.bulk_create(rows, batch_size=1000)
