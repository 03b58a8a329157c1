"""The release as it was computed before its roll-ups were summed bottom-up: every unit scored
over all the ballots of its subtree, every decision recounting every unit's ballots. Its
write_release and helpers are kept word for word, with the functions of pulse.scoring,
pulse.trends and pulse.release_inputs they used as they were (only the imports, this
paragraph and one later rule are new: a unit whose people may differ by a few from an earlier
release stores no answer distribution and no question mean, in both), as the oracle that
tests/pulse/test_release_equivalence.py compares pulse.release with: both must publish the
same set. One thing changed since: comments are stored once now (pulse.release_comments), so
the table has no room for the copy of every comment that this release made for each unit
showing it; write_comments makes those copies as it did and keeps them in `copies_by_unit`
instead of writing them.

Release: compute a closed cycle's results once, on its frozen snapshot, and store them.

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

import math
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from statistics import fmean, stdev
from typing import TypeVar

from pulse.disclosure import DISTRIBUTION_K, Suppression, UnitCounts, decide_publication
from pulse.models import Comment, Response
from pulse.release import ENPS_ORIGIN
from pulse.release_models import (
    DomainFigures,
    QuestionFigures,
    ReleasedUnit,
    ReleaseStatus,
    UnitFigures,
)
from pulse.scoring import (
    FAVORABLE_FROM,
    SCALE_MAX,
    SCALE_MIN,
    Ballot,
    DomainFigure,
    Figures,
    Question,
    QuestionFigure,
    keyed,
    rescale,
)
from pulse.trends import (
    FINE_PRECISION,
    FOLLOW_THROUGH,
    RESPONDENTS,
    Comparison,
    compare_with_earlier,
)
from surveys.instrument import FOLLOW_THROUGH_KEY, Domain
from surveys.models import Cycle
from surveys.selectors import ReportingUnit, reporting_units, viewers_per_unit

Item = TypeVar("Item")
Decision = dict[int, Suppression | None]


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
        counts={
            unit_id: {
                RESPONDENTS: len(subtree_ballots.get(unit_id, [])),
                **figure_counts_of(
                    subtree_ballots.get(unit_id, []),
                    domain_keys=domain_keys,
                    question_keys=[q.key for q in questions],
                ),
            }
            for unit_id in published
        },
    )

    eligible = roll_up_counts(parent_of, {unit.id: unit.unit_eligible_count for unit in units})
    released = []
    for unit in units:
        reason = decisions.overall[unit.id]
        if reason is None and comparisons[unit.id].withheld:
            reason = Suppression.SINGLES_OUT_ACROSS_SURVEYS
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
                few_apart=comparison.few_apart,
                answer_counts=comparison.answer_counts,
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


def rounded(value: float, precision: int, *, origin: int = 0) -> int:
    """Half up, to `origin` plus a multiple of `precision`: the figure exactly as a page shows
    it."""
    return int(origin + math.floor((value - origin) / precision + 0.5) * precision)


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


# Unit id → the copies of the comments shown with it, from the latest write_comments.
copies_by_unit: dict[int, list[str]] = {}


def write_comments(
    cycle_id: int, released: list[ReleasedUnit], parent_of: dict[int, int | None]
) -> None:
    own_comments = comments_by_unit(cycle_id)
    rolled = roll_up(parent_of, own_comments)
    copies_by_unit.clear()
    for released_unit in released:
        if not released_unit.comments_released:
            continue
        texts = list(rolled.get(released_unit.unit_id, []))
        secrets.SystemRandom().shuffle(texts)
        copies_by_unit[released_unit.unit_id] = texts


# From pulse.scoring, pulse.trends and pulse.release_inputs as they were.


def score(ballots: Iterable[Ballot], questions: list[Question]) -> Figures:
    ballots = list(ballots)
    by_key = {question.key: question for question in questions}
    domain_values: dict[str, list[float]] = {}
    domain_answers: dict[str, list[int]] = {}
    question_answers: dict[str, list[int]] = {q.key: [] for q in questions}
    for ballot in ballots:
        per_domain: dict[str, list[int]] = {}
        for key, answer in ballot.answers.items():
            question = by_key.get(key)
            if question is None:
                continue
            question_answers[key].append(answer)
            per_domain.setdefault(question.domain, []).append(keyed(question, answer))
        for domain, values in per_domain.items():
            domain_values.setdefault(domain, []).append(rescale(fmean(values)))
            domain_answers.setdefault(domain, []).extend(values)

    domains = {
        domain: DomainFigure(
            score=fmean(values),
            favorable=favorable_share(domain_answers[domain]),
            respondents=len(values),
            spread=stdev(values) if len(values) > 1 else 0.0,
        )
        for domain, values in domain_values.items()
    }
    questions_out = {
        key: QuestionFigure(
            respondents=len(answers),
            mean=fmean(keyed(by_key[key], a) for a in answers),
            favorable=favorable_share([keyed(by_key[key], a) for a in answers]),
            distribution=tuple(answers.count(value) for value in range(SCALE_MIN, SCALE_MAX + 1)),
        )
        for key, answers in question_answers.items()
        if answers
    }
    enps_answers = [b.enps for b in ballots if b.enps is not None]
    return Figures(
        respondents=len(ballots),
        domains=domains,
        questions=questions_out,
        index=fmean(d.score for d in domains.values()) if domains else None,
        enps=net_promoter_score(enps_answers),
        enps_respondents=len(enps_answers),
    )


def favorable_share(keyed_answers: list[int]) -> float:
    if not keyed_answers:
        return 0.0
    return 100 * sum(1 for a in keyed_answers if a >= FAVORABLE_FROM) / len(keyed_answers)


def net_promoter_score(answers: list[int]) -> float | None:
    if not answers:
        return None
    promoters = sum(1 for a in answers if a >= 9)
    detractors = sum(1 for a in answers if a <= 6)
    return 100 * (promoters - detractors) / len(answers)


def figure_counts_of(
    ballots: list[Ballot], *, domain_keys: dict[str, list[str]], question_keys: list[str]
) -> dict[str, int]:
    """How many of `ballots` count in each figure a release publishes (names as stored_counts)."""
    answered = [set(ballot.answers) for ballot in ballots]
    counts = {
        "enps": sum(1 for ballot in ballots if ballot.enps is not None),
        FOLLOW_THROUGH: sum(1 for keys in answered if FOLLOW_THROUGH_KEY in keys),
    }
    for domain, keys in domain_keys.items():
        counts[f"domain:{domain}"] = sum(1 for given in answered if given.intersection(keys))
    for key in question_keys:
        counts[f"question:{key}"] = sum(1 for given in answered if key in given)
    return counts


def ballots_by_unit(cycle_id: int) -> dict[int, list[Ballot]]:
    ballots: dict[int, list[Ballot]] = defaultdict(list)
    for unit_id, answers, enps in Response.objects.filter(cycle_id=cycle_id).values_list(
        "reporting_unit_id", "answers", "enps"
    ):
        ballots[unit_id].append(Ballot(answers=answers, enps=enps))
    return ballots


def comments_by_unit(cycle_id: int) -> dict[int, list[str]]:
    comments: dict[int, list[str]] = defaultdict(list)
    for unit_id, text in Comment.objects.filter(cycle_id=cycle_id).values_list(
        "reporting_unit_id", "text"
    ):
        comments[unit_id].append(text)
    return comments


def link_trends(*, released: list[ReleasedUnit], comparisons: dict[int, Comparison]) -> None:
    links = [
        ReleasedUnit.trend_from.through(from_releasedunit_id=release.pk, to_releasedunit_id=before)
        for release in released
        if release.status == ReleaseStatus.RELEASED and release.unit_id in comparisons
        for before in comparisons[release.unit_id].trend_from
    ]
    ReleasedUnit.trend_from.through.objects.bulk_create(links, batch_size=1000)
