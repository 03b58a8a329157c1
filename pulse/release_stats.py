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
import operator
import sys
from array import array
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
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

ANSWERS = SCALE_MAX - SCALE_MIN + 1
ENPS_ANSWERS = 11  # 0..10


@cache
def part_start(answered: int) -> int:
    """Where the parts of `answered` items start among a domain's counts: the parts of j items
    have keyed sums j * SCALE_MIN .. j * SCALE_MAX, so j * (ANSWERS - 1) + 1 of them."""
    return sum(items * (ANSWERS - 1) + 1 for items in range(1, answered))


@dataclass(frozen=True, slots=True)
class Slot:
    """Where one question's counts are: its answers (as given), and its domain's parts."""

    question: Question
    answers_at: int
    domain_at: int


@dataclass(frozen=True)
class CountLayout:
    """Where each count of a GroupStats lives in its one flat array: each question's count of
    each answer, each domain's count of each part (items answered, keyed sum), then eNPS's of
    each answer. A release holds one GroupStats per reporting unit until its rows are written:
    at a million people one array of small integers each took 67 MiB, where a dict of counts
    per question and domain took 318 MiB."""

    slots: dict[str, Slot]
    domains: dict[str, tuple[int, int]]  # domain → where its parts start, its items
    enps_at: int
    size: int

    def parts_of(self, counts: array, domain: str) -> Iterator[tuple[DomainPart, int]]:
        """The domain's parts that some respondent has, with how many have each."""
        at, items = self.domains[domain]
        for answered in range(1, items + 1):
            start = at + part_start(answered) - answered * SCALE_MIN
            for keyed_sum in range(answered * SCALE_MIN, answered * SCALE_MAX + 1):
                if count := counts[start + keyed_sum]:
                    yield domain_part(answered, keyed_sum), count

    @cached_property
    def domain_spans(self) -> dict[str, tuple[int, int]]:
        """Domain → where its counts start and end."""
        return {
            domain: (at, at + part_start(items + 1)) for domain, (at, items) in self.domains.items()
        }


@cache
def layout_of(questions: tuple[Question, ...]) -> CountLayout:
    """One layout per list of questions, shared by every GroupStats counted with it."""
    items: dict[str, int] = {}
    for question in questions:
        items[question.domain] = items.get(question.domain, 0) + 1
    domains: dict[str, tuple[int, int]] = {}
    at = len(questions) * ANSWERS
    for domain, count in items.items():
        domains[domain] = (at, count)
        at += part_start(count + 1)
    slots = {
        question.key: Slot(question, index * ANSWERS, domains[question.domain][0])
        for index, question in enumerate(questions)
    }
    return CountLayout(slots=slots, domains=domains, enps_at=at, size=at + ENPS_ANSWERS)


# Slots: a release holds one per reporting unit until its rows are written.
@dataclass(slots=True)
class GroupStats:
    """A group's counts, laid out by `layout` (None: nothing counted yet, by any layout)."""

    layout: CountLayout | None = None
    respondents: int = 0
    counts: array = field(default_factory=lambda: array("I"))

    @classmethod
    def of(cls, questions: Iterable[Question]) -> "GroupStats":
        layout = layout_of(tuple(questions))
        return cls(layout, 0, array("I", bytes(4 * layout.size)))

    def count(self, ballot: Ballot) -> None:
        """Add one ballot; answers to items not in the layout count for nothing, as in
        scoring."""
        self.count_answers(ballot.answers, ballot.enps)

    def count_answers(self, answers: Mapping[str, int], enps: int | None) -> None:
        """Add one ballot given as its answers and eNPS answer (Ballot's fields): a release
        streaming a million responses makes no Ballot for each."""
        layout = self.layout
        if layout is None:
            raise ValueError("counted by GroupStats.of(questions)")
        counts = self.counts
        self.respondents += 1
        parts: dict[int, list[int]] = {}
        slots = layout.slots
        for key, answer in answers.items():
            slot = slots.get(key)
            if slot is None:
                continue
            if not SCALE_MIN <= answer <= SCALE_MAX:
                # The door refuses these; a count outside the layout would land in another's.
                raise ValueError(f"answer {answer!r} to {key} is outside the scale")
            counts[slot.answers_at + answer - SCALE_MIN] += 1
            part = parts.get(slot.domain_at)
            if part is None:
                part = parts[slot.domain_at] = [0, 0]
            part[0] += 1
            part[1] += keyed(slot.question, answer)
        for domain_at, (answered, keyed_sum) in parts.items():
            counts[domain_at + part_start(answered) + keyed_sum - answered * SCALE_MIN] += 1
        if enps is not None:
            if not 0 <= enps < ENPS_ANSWERS:
                raise ValueError(f"eNPS answer {enps!r} is outside 0..10")
            counts[layout.enps_at + enps] += 1

    def add(self, other: "GroupStats") -> None:
        """Add another group's stats into these (a child unit's roll-up into its parent's)."""
        self.respondents += other.respondents
        if other.layout is None:
            return
        if self.layout is None:
            self.layout, self.counts = other.layout, array("I", other.counts)
        elif self.layout is other.layout:
            self.counts = array("I", map(operator.add, self.counts, other.counts))
        else:
            raise ValueError("stats counted for different questions")

    def answers_of(self, key: str) -> tuple[int, ...] | None:
        """How many gave each answer SCALE_MIN..SCALE_MAX to the question; None if not
        counted."""
        slot = self.layout.slots.get(key) if self.layout else None
        if slot is None:
            return None
        return tuple(self.counts[slot.answers_at : slot.answers_at + ANSWERS])

    def enps_answers(self) -> tuple[int, ...]:
        if self.layout is None:
            return (0,) * ENPS_ANSWERS
        at = self.layout.enps_at
        return tuple(self.counts[at : at + ENPS_ANSWERS])

    # Counted for every figure of every unit (pulse.trends.figure_counts): slices summed as
    # they are, no tuple made.
    def answered(self, key: str) -> int:
        slot = self.layout.slots.get(key) if self.layout else None
        if slot is None:
            return 0
        return sum(self.counts[slot.answers_at : slot.answers_at + ANSWERS])

    def answered_domain(self, domain: str) -> int:
        span = self.layout.domain_spans.get(domain) if self.layout else None
        if span is None:
            return 0
        return sum(self.counts[span[0] : span[1]])

    def answered_enps(self) -> int:
        return sum(self.enps_answers())


@cache
def domain_part(answered: int, keyed_sum: int) -> DomainPart:
    """One tuple per part, shared by every figure that reads it."""
    return (answered, keyed_sum)


def score(ballots: Iterable[Ballot], questions: list[Question]) -> Figures:
    """The figures of a group of ballots (pulse.scoring says what each one is)."""
    return figures_of(stats_of(ballots, questions), questions)


def stats_of(ballots: Iterable[Ballot], questions: list[Question]) -> GroupStats:
    stats = GroupStats.of(questions)
    for ballot in ballots:
        stats.count(ballot)
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
        if (figure := question_figure(stats.answers_of(question.key), question)) is not None
    }
    enps_answers = stats.enps_answers()
    return Figures(
        respondents=stats.respondents,
        domains=domains,
        questions=questions_out,
        index=fmean(d.score for d in domains.values()) if domains else None,
        enps=net_promoter_score(enps_answers),
        enps_respondents=sum(enps_answers),
    )


def domain_figure(stats: GroupStats, domain: str, questions: list[Question]) -> DomainFigure | None:
    if stats.layout is None or domain not in stats.layout.domains:
        return None
    parts = list(stats.layout.parts_of(stats.counts, domain))
    respondents = sum(count for _, count in parts)
    if respondents == 0:
        return None
    # Each respondent's domain value exactly as scoring computes it (a float, so an integer
    # over a power of two), with how many share it; summed exactly in integers over the
    # largest of those powers.
    ratios = [(domain_value_ratio(part), count) for part, count in parts]
    scale = max(denominator for (_, denominator), _ in ratios)
    scaled = [
        (numerator * (scale // denominator), count) for (numerator, denominator), count in ratios
    ]
    total = sum(value * count for value, count in scaled)
    squares = sum(value * value * count for value, count in scaled)
    answers = favorable = 0
    for question in questions:
        for answer, count in enumerate(stats.answers_of(question.key) or (), SCALE_MIN):
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


def question_figure(answers: tuple[int, ...] | None, question: Question) -> QuestionFigure | None:
    """`answers`: how many gave each answer SCALE_MIN..SCALE_MAX (GroupStats.answers_of)."""
    respondents = sum(answers) if answers else 0
    if not answers or respondents == 0:
        return None
    given = list(enumerate(answers, SCALE_MIN))
    keyed_sum = sum(keyed(question, answer) * count for answer, count in given)
    favorable = sum(count for answer, count in given if keyed(question, answer) >= FAVORABLE_FROM)
    return QuestionFigure(
        respondents=respondents,
        mean=float(keyed_sum) / respondents,
        favorable=100 * favorable / respondents,
        distribution=answers,
    )


def net_promoter_score(answers: tuple[int, ...]) -> float | None:
    """`answers`: how many gave each eNPS answer 0..10."""
    given = sum(answers)
    if not given:
        return None
    promoters = sum(answers[9:])
    detractors = sum(answers[:7])
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
