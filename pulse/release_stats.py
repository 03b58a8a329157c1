"""Sufficient statistics of a group of ballots: what scoring needs, summed instead of listed.

A release publishes a roll-up for every reporting unit, each over the ballots of its whole
subtree. Listing those ballots again for every unit costs the depth of the tree per ballot, so
each unit's own ballots are counted once into a GroupStats, and a unit's roll-up is its own
stats plus those of its children. Every figure scoring defines comes out exactly as
pulse.scoring computes it from the ballots themselves:

- a question: how many times each answer (as given) occurs; its mean, favorable share and
  distribution follow from those seven counts;
- a domain: how many respondents answered j of its items with a keyed sum of s, for each (j, s).
  A respondent's domain value is rescale(s / j), so the histogram gives the exact multiset of
  values: its mean is their correctly rounded sum (what fmean's fsum returns) over n, and its
  spread the exact sample standard deviation, correctly rounded, as statistics.stdev gives;
- eNPS: how many gave each answer 0..10.
"""

import math
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from statistics import fmean

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
from teams.tree_walks import IdTree

# Items answered, keyed sum of those answers: one respondent's part of a domain.
DomainPart = tuple[int, int]


# Value → how many times it occurs. Plain dicts, not Counters: a release holds one per question
# and domain of every unit, and counting into them is the release's innermost loop.
Tally = dict


# Slots: a release holds one per reporting unit until its rows are written.
@dataclass(slots=True)
class GroupStats:
    respondents: int = 0
    questions: dict[str, Tally[int, int]] = field(default_factory=dict)
    domains: dict[str, Tally[DomainPart, int]] = field(default_factory=dict)
    enps: Tally[int, int] = field(default_factory=dict)

    def count(self, ballot: Ballot, by_key: dict[str, Question]) -> None:
        """Add one ballot; answers to items not in `by_key` count for nothing, as in scoring."""
        self.count_answers(ballot.answers, ballot.enps, by_key)

    def count_answers(
        self, answers: Mapping[str, int], enps: int | None, by_key: dict[str, Question]
    ) -> None:
        """Add one ballot given as its answers and eNPS answer (Ballot's fields): a release
        streaming a million responses makes no Ballot for each."""
        self.respondents += 1
        parts: dict[str, list[int]] = {}
        questions = self.questions
        for key, answer in answers.items():
            question = by_key.get(key)
            if question is None:
                continue
            # Keyed by the question's own key: the ballot's is a string of its own, and a unit
            # holding it would keep one copy per unit and question.
            tally = questions.get(key)
            if tally is None:
                tally = questions[question.key] = {}
            tally[answer] = tally.get(answer, 0) + 1
            part = parts.get(question.domain)
            if part is None:
                part = parts[question.domain] = [0, 0]
            part[0] += 1
            part[1] += keyed(question, answer)
        for domain, (answered, keyed_sum) in parts.items():
            add_one(self.domains, domain, domain_part(answered, keyed_sum))
        if enps is not None:
            self.enps[enps] = self.enps.get(enps, 0) + 1

    def add(self, other: "GroupStats") -> None:
        """Add another group's stats into these (a child unit's roll-up into its parent's)."""
        self.respondents += other.respondents
        add_tallies(self.questions, other.questions)
        add_tallies(self.domains, other.domains)
        add_tally(self.enps, other.enps)

    def answered(self, key: str) -> int:
        return sum(self.questions.get(key, {}).values())

    def answered_domain(self, domain: str) -> int:
        return sum(self.domains.get(domain, {}).values())

    def answered_enps(self) -> int:
        return sum(self.enps.values())


@cache
def domain_part(answered: int, keyed_sum: int) -> DomainPart:
    """One tuple per part, shared by every tally that counts it: a release at a million people
    holds some 1.7 million of them."""
    return (answered, keyed_sum)


def add_one(tallies: dict[str, Tally], name: str, value: object) -> None:
    tally = tallies.get(name)
    if tally is None:
        tally = tallies[name] = {}
    tally[value] = tally.get(value, 0) + 1


def add_tallies(into: dict[str, Tally], other: dict[str, Tally]) -> None:
    for name, tally in other.items():
        mine = into.get(name)
        if mine is None:
            into[name] = dict(tally)
        else:
            add_tally(mine, tally)


def add_tally(into: Tally, other: Tally) -> None:
    for value, count in other.items():
        into[value] = into.get(value, 0) + count


def score(ballots: Iterable[Ballot], questions: list[Question]) -> Figures:
    """The figures of a group of ballots (pulse.scoring says what each one is)."""
    return figures_of(stats_of(ballots, questions), questions)


def stats_of(ballots: Iterable[Ballot], questions: list[Question]) -> GroupStats:
    by_key = {question.key: question for question in questions}
    stats = GroupStats()
    for ballot in ballots:
        stats.count(ballot, by_key)
    return stats


def figures_of(stats: GroupStats, questions: list[Question]) -> Figures:
    """The figures pulse.scoring.score gives for the ballots these stats were counted from."""
    domains: dict[str, DomainFigure] = {}
    for domain in dict.fromkeys(question.domain for question in questions):
        scored = domain_figure(stats, domain, [q for q in questions if q.domain == domain])
        if scored is not None:
            domains[domain] = scored
    questions_out = {
        question.key: figure
        for question in questions
        if (figure := question_figure(stats.questions.get(question.key), question)) is not None
    }
    enps_answers = stats.answered_enps()
    return Figures(
        respondents=stats.respondents,
        domains=domains,
        questions=questions_out,
        index=fmean(d.score for d in domains.values()) if domains else None,
        enps=net_promoter_score(stats.enps),
        enps_respondents=enps_answers,
    )


def domain_figure(stats: GroupStats, domain: str, questions: list[Question]) -> DomainFigure | None:
    parts = stats.domains.get(domain)
    respondents = sum(parts.values()) if parts else 0
    if not parts or respondents == 0:
        return None
    # Each respondent's domain value exactly as scoring computes it (a float, so an integer
    # over a power of two), with how many share it; summed exactly in integers over the
    # largest of those powers.
    ratios = [(domain_value_ratio(part), count) for part, count in parts.items() if count]
    scale = max(denominator for (_, denominator), _ in ratios)
    scaled = [
        (numerator * (scale // denominator), count) for (numerator, denominator), count in ratios
    ]
    total = sum(value * count for value, count in scaled)
    squares = sum(value * value * count for value, count in scaled)
    answers = favorable = 0
    for question in questions:
        for answer, count in stats.questions.get(question.key, {}).items():
            answers += count
            favorable += count if keyed(question, answer) >= FAVORABLE_FROM else 0
    return DomainFigure(
        # fmean: the correctly rounded sum (fsum) over the count.
        score=(total / scale) / respondents,
        favorable=100 * favorable / answers if answers else 0.0,
        respondents=respondents,
        # statistics.stdev: the exact sum of squared deviations over n - 1, its square root
        # correctly rounded.
        spread=float_sqrt_of_fraction(
            respondents * squares - total * total, scale * scale * respondents * (respondents - 1)
        )
        if respondents > 1
        else 0.0,
    )


@cache
def domain_value_ratio(part: DomainPart) -> tuple[int, int]:
    answered, keyed_sum = part
    return rescale(keyed_sum / answered).as_integer_ratio()


# Bits kept before the last rounding: twice a float's mantissa and 3 (as statistics uses).
SQRT_BIT_WIDTH = 2 * sys.float_info.mant_dig + 3


def float_sqrt_of_fraction(numerator: int, denominator: int) -> float:
    """The square root of numerator / denominator, correctly rounded to a float: an integer
    square root with enough bits, rounded to odd, so the float division rounds it once."""
    shift = (numerator.bit_length() - denominator.bit_length() - SQRT_BIT_WIDTH) // 2
    if shift >= 0:
        return (integer_sqrt_round_to_odd(numerator, denominator << 2 * shift) << shift) / 1
    return integer_sqrt_round_to_odd(numerator << -2 * shift, denominator) / (1 << -shift)


def integer_sqrt_round_to_odd(numerator: int, denominator: int) -> int:
    root = math.isqrt(numerator // denominator)
    return root | (root * root * denominator != numerator)


def question_figure(answers: Tally[int, int] | None, question: Question) -> QuestionFigure | None:
    respondents = sum(answers.values()) if answers else 0
    if not answers or respondents == 0:
        return None
    keyed_sum = sum(keyed(question, answer) * count for answer, count in answers.items())
    favorable = sum(
        count for answer, count in answers.items() if keyed(question, answer) >= FAVORABLE_FROM
    )
    return QuestionFigure(
        respondents=respondents,
        mean=float(keyed_sum) / respondents,
        favorable=100 * favorable / respondents,
        distribution=tuple(answers.get(value, 0) for value in range(SCALE_MIN, SCALE_MAX + 1)),
    )


def net_promoter_score(answers: Tally[int, int]) -> float | None:
    given = sum(answers.values())
    if not given:
        return None
    promoters = sum(count for answer, count in answers.items() if answer >= 9)
    detractors = sum(count for answer, count in answers.items() if answer <= 6)
    return 100 * (promoters - detractors) / given


def subtree_sums(tree: IdTree, own: Mapping[int, Mapping[str, int]]) -> dict[int, dict[str, int]]:
    """Node id → each of its own counts plus those of every node below it, bottom-up once."""
    totals: dict[int, dict[str, int]] = {}
    for node in tree.bottom_up():
        total = dict(own[node])
        for child in tree.children_of(node):
            for name, count in totals.get(child, {}).items():
                total[name] = total.get(name, 0) + count
        totals[node] = total
    return totals
