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

It grows linearly with people and units: the responses are streamed and counted once into
their unit's stats (pulse.release_stats), every decision is taken from those counts, and one
bottom-up pass adds each unit's stats into its parent's, so a unit is scored from its
subtree's sums, never from its subtree's ballots. Rows are streamed to the
database as they are made (common.bulk_rows: COPY on PostgreSQL), never all held.
"""

import logging
import math
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from common.bulk_rows import insert_rows
from common.compaction import compact
from common.random_ids import uuid4s
from pulse.disclosure import DISTRIBUTION_K, PublicationTree, Suppression, UnitCounts
from pulse.models import Comment, Response
from pulse.release_comments import lay_out_comments, write_comments
from pulse.release_inputs import has_pending_ballots, stats_by_unit
from pulse.release_models import (
    CycleRelease,
    DomainFigures,
    QuestionFigures,
    ReleasedUnit,
    ReleaseStatus,
    UnitFigures,
)
from pulse.release_stats import GroupStats, domain_figure, figures_of, subtree_sums
from pulse.scoring import DomainFigure, Figures, Question
from pulse.trends import (
    ENPS,
    FINE_PRECISION,
    FOLLOW_THROUGH,
    RESPONDENTS,
    Comparison,
    FigureCounts,
    compare_with_earlier,
    domain_count,
    figure_counts,
    link_trends,
    question_count,
)
from surveys.instrument import DOMAINS, FOLLOW_THROUGH_KEY
from surveys.models import Cycle, CycleState, StuckReason
from surveys.selectors import (
    ReportingUnit,
    readers_of_every_cycle,
    reporting_units,
    viewers_per_unit,
)
from teams.tree_walks import IdTree

logger = logging.getLogger(__name__)
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
    own_counts: dict[int, FigureCounts],
    questions: list[Question],
    *,
    readers: frozenset[int] | None = None,
) -> Decisions:
    """Every figure's decision from the units' own counts of it. Figures with the same counts
    at the same threshold (every question nobody skipped) get the same decision: computed once.
    `readers`: readers_of_every_cycle, if the caller has it."""
    viewers = viewers_per_unit(cycle.pk, readers=readers)
    tree = PublicationTree(
        [
            UnitCounts(
                unit_id=unit.id,
                parent_id=unit.parent_unit_id,
                own_eligible=unit.unit_eligible_count,
                own_respondents=0,  # each figure's own, below
                own_viewers=viewers.get(unit.id, 0),
            )
            for unit in units
        ]
    )
    decided: dict[tuple[int, tuple[int, ...]], Decision] = {}

    def decide(name: str, k: int) -> Decision:
        counts = tuple(own_counts[unit.id][name] for unit in units)
        if (k, counts) not in decided:
            decided[(k, counts)] = tree.decide(
                dict(zip((unit.id for unit in units), counts, strict=True)), k=k
            )
        return decided[(k, counts)]

    return Decisions(
        overall=decide(RESPONDENTS, cycle.k),
        comments=decide(RESPONDENTS, cycle.k_comment),
        questions={q.key: decide(question_count(q.key), cycle.k) for q in questions},
        distributions={q.key: decide(question_count(q.key), DISTRIBUTION_K) for q in questions},
        domains={domain: decide(domain_count(domain), cycle.k) for domain in DOMAINS},
        enps=decide(ENPS, cycle.k),
        # Decided over every unit with the item's own counts, then published only where it
        # was asked: leaving out published figures merges regions, never splits one.
        follow_through=decide(FOLLOW_THROUGH, cycle.k),
    )


def decide_and_count(
    cycle: Cycle,
    units: list[ReportingUnit],
    tree: IdTree,
    own_stats: dict[int, GroupStats],
    questions: list[Question],
    readers: frozenset[int],
) -> tuple[Decisions, dict[int, FigureCounts]]:
    """Every figure's decision, and each unit's subtree count of each figure. The units' own
    counts are dropped on return: at a million people they are some 50 MB the comparison with
    earlier surveys would otherwise hold beside its own."""
    own_counts = {unit.id: figure_counts(own_stats.get(unit.id), questions) for unit in units}
    decisions = decide_all(cycle, units, own_counts, questions, readers=readers)
    return decisions, subtree_sums(tree, own_counts)


def write_release(cycle: Cycle) -> int:
    """Store the cycle's release; the number of responses it was computed from."""
    units = reporting_units(cycle.pk)
    tree = IdTree({unit.id: unit.parent_unit_id for unit in units})
    items = list(cycle.items.all())
    # The follow-through item is of no domain: it is released as its own figure.
    questions = [
        Question(item.key, item.domain, item.reverse_scored)
        for item in items
        if item.key != FOLLOW_THROUGH_KEY
    ]
    asked_follow_through = any(item.key == FOLLOW_THROUGH_KEY for item in items)
    own_stats, ballots_read = stats_by_unit(cycle.pk, [*questions, FOLLOW_THROUGH_QUESTION])
    # Who can read some survey's results: read once, for the decisions and the comparison.
    readers = readers_of_every_cycle()
    decisions, subtree_counts = decide_and_count(cycle, units, tree, own_stats, questions, readers)
    published = {unit.id: unit.team_id for unit in units if decisions.overall[unit.id] is None}
    comparisons = compare_with_earlier(
        cycle=cycle,
        team_of_unit=published,
        counts={unit_id: subtree_counts[unit_id] for unit_id in published},
        readers=readers,
    )
    eligible = subtree_sums(
        tree, {unit.id: {"eligible": unit.unit_eligible_count} for unit in units}
    )
    by_id = {unit.id: unit for unit in units}
    reason_of = {
        unit.id: decisions.overall[unit.id]
        or (Suppression.SINGLES_OUT_ACROSS_SURVEYS if comparisons[unit.id].withheld else None)
        for unit in units
    }
    comments_shown_at = {
        unit.id
        for unit in units
        if reason_of[unit.id] is None and decisions.comments[unit.id] is None
    }
    comment_layout = lay_out_comments(cycle.pk, tree, comments_shown_at)
    # Unit id → its ReleasedUnit's id, for the units released: all the comments and trend
    # links need once the figures are written.
    released: dict[int, uuid.UUID] = {}
    random_ids = uuid4s()

    def rows_bottom_up() -> Iterator[tuple[object, ...]]:
        """Each unit's row (RELEASED_UNIT_FIELDS), children before parents: a unit's stats
        are its own plus its children's, each child's dropped once added."""
        rolled: dict[int, GroupStats] = {}
        for unit_id in tree.bottom_up():
            stats = own_stats.pop(unit_id, None) or GroupStats()
            for child in tree.children_of(unit_id):
                child_stats = rolled.pop(child, None)
                if child_stats is not None:
                    stats.add(child_stats)
            rolled[unit_id] = stats
            unit = by_id[unit_id]
            reason = reason_of[unit.id]
            comparison = comparisons.get(
                unit.id, Comparison(trend_from=[], precision=FINE_PRECISION)
            )
            figures: UnitFigures = {}
            comments_from, comments_count = comment_layout.slice_of(unit.id)
            if reason is None:
                figures = unit_figures(
                    figures_of(stats, questions),
                    questions,
                    unit_id=unit.id,
                    decisions=decisions,
                    precision=comparison.precision,
                    few_apart=comparison.few_apart,
                    answer_counts=comparison.answer_counts,
                )
                if asked_follow_through and unit.asks_follow_through:
                    add_follow_through(
                        figures,
                        domain_figure(stats, FOLLOW_THROUGH_KEY, [FOLLOW_THROUGH_QUESTION]),
                        reason=decisions.follow_through[unit.id],
                        precision=comparison.precision,
                    )
            release_id = next(random_ids)
            if reason is None:
                released[unit.id] = release_id
            yield (
                release_id,
                cycle.pk,
                unit.id,
                unit.parent_unit_id,
                ReleaseStatus.RELEASED if reason is None else ReleaseStatus.SUPPRESSED,
                reason.value if reason else "",
                eligible[unit.id]["eligible"],
                stats.respondents if reason is None else None,
                figures,
                unit.id in comments_shown_at,
                comments_from,
                comments_count,
                next(random_ids),
            )

    insert_rows(ReleasedUnit, RELEASED_UNIT_FIELDS, rows_bottom_up())
    write_comments(cycle.pk, comment_layout, released)
    link_trends(released=released, comparisons=comparisons)
    return ballots_read


# What rows_bottom_up gives for each unit, in this order.
RELEASED_UNIT_FIELDS = (
    "id",
    "cycle",
    "unit",
    "parent_unit",
    "status",
    "reason",
    "eligible",
    "respondents",
    "figures",
    "comments_released",
    "comments_from",
    "comments_count",
    "comments_shuffle_key",
)
FOLLOW_THROUGH_QUESTION = Question(FOLLOW_THROUGH_KEY, FOLLOW_THROUGH_KEY, reverse_scored=False)


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


def rounded(value: float, precision: int, *, origin: int = 0) -> int:
    """Half up, to `origin` plus a multiple of `precision`: the figure exactly as a page shows
    it. Steps are counted from the bottom of the scale, so that every step lies on it."""
    return int(origin + math.floor((value - origin) / precision + 0.5) * precision)


# eNPS runs from -100: counted from 0, steps of 40 or 200 would put a step at 120 or 200,
# outside the scale, and make "every respondent a promoter" a step of its own.
ENPS_ORIGIN = -100


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
    few_apart: bool = False,
    answer_counts: bool = True,
) -> UnitFigures:
    domains: dict[str, DomainFigures] = {
        domain: domain_figures(figure, precision=precision)
        for domain, figure in figures.domains.items()
        if decisions.domains[domain][unit_id] is None
    }
    # A release whose people may differ by a few keeps nothing finer than its pages show.
    fine = precision == FINE_PRECISION and not few_apart
    out_questions: dict[str, QuestionFigures] = {}
    for question in questions:
        reason = decisions.questions[question.key][unit_id]
        figure = figures.questions.get(question.key)
        if reason is None and figure is not None:
            # A coarse unit shows no distribution: two exact distributions a few people apart
            # would give those people's answers away.
            show_distribution = (
                decisions.distributions[question.key][unit_id] is None and fine and answer_counts
            )
            out_questions[question.key] = {
                "status": ReleaseStatus.RELEASED,
                "reason": None,
                "respondents": figure.respondents,
                # A coarse release stores no mean: one to a whole answer is still finer than
                # its steps, and with the earlier release's mean narrows the few's answers.
                "mean": round(figure.mean, 1) if fine else None,
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
    complete = len(domains) == len(DOMAINS)
    enps_ok = decisions.enps[unit_id] is None and figures.enps is not None
    hidden = {
        domain: (decisions.domains[domain][unit_id] or Suppression.TOO_FEW_RESPONSES).value
        for domain in DOMAINS
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
        "enps": rounded(
            figures.enps,
            precision if precision == FINE_PRECISION else 2 * precision,
            origin=ENPS_ORIGIN,
        )
        if enps_ok and figures.enps is not None
        else None,
        "enps_respondents": figures.enps_respondents if enps_ok else None,
        "precision": precision,
        "hidden": hidden,
        "domains": domains,
        "questions": out_questions,
    }
