"""Across cycles (DESIGN §4.9): which earlier releases a unit's trend may be drawn from, and
which units must show coarser figures because their people may have changed by only a few.

Two releases of the same team are two averages over overlapping groups. When the groups differ
by 1 to k-1 people, in who was invited, in how many answered or in who answered, the
difference of the two averages describes those few people, assuming the others answered as
before. Who answered is not kept past close, yet someone holding backups taken while both
surveys were open knows it; so a later release is as fine as the earlier only when the counts
leave no room for 1 to k-1 people to differ: everyone answered both times, or the respondents
differ by k or more whoever they are. Over three surveys or more, answerers that rotate beat
any bound from counts, so against an earlier release in whole points a later one is as fine
only where everyone answered, in it and in the earlier groups its people were in
(answerers_unknown, units_with_unsure_answerers). Hiding every such unit would hide most
teams, so the later release is published coarser instead, in steps wide enough to cover what
the few people could have moved it: over n respondents, k-1 people move a score or a share
(0-100) by up to 100 (k-1) / n points, and eNPS (-100 to 100) by twice that. So the step is
the smallest of 5, 10, 20, 25, 50 or 100 points (200 for eNPS) at least that wide: 5 for a
unit of 80 or more at k = 5, 10 for 40 to 79, 50 for 8 to 15. One step of 10 for every size
would be undone by arithmetic in small groups: eNPS over 10 people moves in steps of 10, so it
would be shown exactly. A trend is still drawn, through the coarse figure: both releases are
on the pages anyway, so the line adds nothing.

Other combinations of exact figures (of two surveys, pulse.cuts_between_surveys; of every
survey, pulse.combinations_across_surveys) are rarer, and a step covers k-1 people once only:
a combination of three or more surveys can hold a person several times over (ten releases
less one, ten times a mentor), and any step has edges a figure falls on one side of. So the
units those checks find are withheld, not coarsened.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from itertools import chain
from uuid import UUID

from common.bulk_rows import insert_rows
from pulse.combinations_across_surveys import EarlierAtoms, units_in_small_combinations
from pulse.cuts_between_surveys import units_with_small_cuts
from pulse.disclosure import DISTRIBUTION_K
from pulse.release_models import ReleasedUnit, ReleaseStatus, UnitFigures
from pulse.release_stats import GroupStats
from pulse.scoring import Question
from surveys.instrument import DOMAINS, FOLLOW_THROUGH_KEY
from surveys.models import Cycle
from surveys.selectors import (
    GroupOverlap,
    InvitedCells,
    RegionComponent,
    TwoCycles,
    compare_cycles,
    holders,
    invited_cells,
    published_below,
    readers_of_every_cycle,
)

FINE_PRECISION = 1
COARSE_STEPS = (5, 10, 20, 25, 50, 100)
# Figure name → how many people it counts (names as stored_counts gives them, and RESPONDENTS).
FigureCounts = dict[str, int]


def coarse_step(*, respondents: int, k: int) -> int:
    """Points per step of a 0-100 figure (eNPS takes twice this) over `respondents` people,
    wide enough that k-1 of them cannot be read from the difference of two releases.

    From 200 (k-1) respondents on, k-1 people move even eNPS by less than the whole point it
    is shown in, so whole points are already that wide (as in small_units_above)."""
    reach = 100 * (k - 1) / max(respondents, 1)
    if 2 * reach <= FINE_PRECISION:
        return FINE_PRECISION
    return next((step for step in COARSE_STEPS if step >= reach), COARSE_STEPS[-1])


@dataclass(frozen=True)
class Comparison:
    """How a unit of this release relates to the earlier releases of the same team."""

    trend_from: list[UUID]  # the ReleasedUnit ids its trend is drawn from
    precision: int
    # Its people may differ by a few from an earlier release's. Then no figure is stored finer
    # than the pages show, even where whole points are wide enough (precision 1 from 200 (k-1)
    # respondents): exact answer counts per statement, or a mean to a tenth, would give the
    # few people's answers away to someone reading the database.
    few_apart: bool = False
    # Some combination of its exact figures with earlier surveys' describes a few people: it
    # is not published at all (Suppression.SINGLES_OUT_ACROSS_SURVEYS).
    withheld: bool = False
    # Answer counts per statement need DISTRIBUTION_K people, within a survey and across: two
    # releases' counts 1 to DISTRIBUTION_K - 1 people apart are those people's answers.
    answer_counts: bool = True


def compare_with_earlier(
    *,
    cycle: Cycle,
    team_of_unit: dict[int, int | None],
    counts: dict[int, FigureCounts],
    readers: frozenset[int] | None = None,
) -> dict[int, Comparison]:
    """Unit id → its comparison, for the published units of this cycle (`team_of_unit`).

    `counts` is each published unit's subtree count of each figure (figure_counts), its
    respondents included: a person who skips one item in one survey and not in the other
    changes that figure's count and nothing else. `readers`: the people who can read some
    survey's results (readers_of_every_cycle), if the caller has them already.

    A unit is compared with every already published unit whose people overlap its own, of any
    team and any survey, whenever that survey closes: a team that got a new manager is a new
    team of the org chart but the same people, a department and the team that makes up most of
    it differ by the department's few others, two surveys of one team can close together, and
    a survey closed early (or held back by a failing store) is released before one that closes
    sooner. The trend is drawn only from the same team's releases that close before it."""
    trend_from: dict[int, list[UUID]] = {}
    found = units_blurred_by_earlier(
        cycle=cycle,
        published=set(team_of_unit),
        earlier=earlier_surveys(cycle, trend_from),
        counts=counts,
        readers=readers,
    )
    comparisons = {}
    for unit_id, team_id in team_of_unit.items():
        respondents = counts[unit_id][RESPONDENTS]
        # The step covers the figure counting the fewest people (its respondents at most).
        smallest = min((count for count in counts[unit_id].values() if count > 0), default=0)
        comparisons[unit_id] = Comparison(
            trend_from=trend_from.get(team_id, []) if team_id is not None else [],
            precision=coarse_step(respondents=min(smallest, respondents), k=cycle.k)
            if unit_id in found.coarse
            else FINE_PRECISION,
            few_apart=unit_id in found.coarse,
            withheld=unit_id in found.withheld,
            answer_counts=unit_id not in found.without_answer_counts,
        )
    return comparisons


@dataclass(frozen=True, slots=True)
class EarlierRelease:
    """What the comparison needs of an earlier published unit, taken from its stored figures
    as they are read: the figures themselves are dropped, since at a million people a survey's
    figures are most of what a release would hold."""

    pk: UUID
    counts: dict[str, int]  # RESPONDENTS and stored_counts
    # As fine as the figures behind it: whole points, and small enough for a few people to
    # move them, or keeping its exact answer counts per statement (at this release's k).
    exact: bool
    keeps_answer_counts: bool
    # Shows every figure and statement: nothing hidden for want of answers.
    shows_everything: bool


# An earlier survey: its cycle id and its published units (unit id → what the checks need).
EarlierSurvey = tuple[int, dict[int, EarlierRelease]]


def earlier_surveys(cycle: Cycle, trend_from: dict[int, list[UUID]]) -> Iterator[EarlierSurvey]:
    """Every other survey with published units, oldest first, read one at a time so that only
    one earlier survey's figures are held at once. On the way, `trend_from` gets, per team,
    the ids of its releases that closed before this one (a trend is drawn from those)."""
    surveys = (
        Cycle.objects.filter(released_units__status=ReleaseStatus.RELEASED)
        .exclude(pk=cycle.pk)
        .distinct()
        .order_by("closes_at", "pk")
        .values_list("pk", "closes_at")
    )
    for earlier_id, closes_at in list(surveys):
        releases = {}
        rows = (
            ReleasedUnit.objects.filter(cycle_id=earlier_id, status=ReleaseStatus.RELEASED)
            .values_list("pk", "unit_id", "unit__team_id", "respondents", "figures")
            .iterator(chunk_size=EARLIER_CHUNK)
        )
        for pk, unit_id, team_id, respondents, figures in rows:
            releases[unit_id] = earlier_release(pk, respondents, figures, k=cycle.k)
            if team_id is not None and closes_at < cycle.closes_at:
                trend_from.setdefault(team_id, []).append(pk)
        yield earlier_id, releases


# Released units read per round trip from an earlier survey.
EARLIER_CHUNK = 2000


def earlier_release(
    pk: UUID, respondents: int | None, figures: UnitFigures, *, k: int
) -> EarlierRelease:
    counts = {RESPONDENTS: respondents or 0, **stored_counts(figures)}
    keeps = keeps_answer_counts(figures)
    return EarlierRelease(
        pk=pk,
        counts=counts,
        exact=figures.get("precision") == FINE_PRECISION
        and (not blurred_by_rounding(counts, k) or keeps),
        keeps_answer_counts=keeps,
        # A figure hidden for want of answers leaves no count to compare.
        shows_everything=not figures.get("hidden")
        and all(
            question["status"] == ReleaseStatus.RELEASED
            for question in figures.get("questions", {}).values()
        ),
    )


RESPONDENTS = "respondents"


@dataclass(frozen=True)
class Blurred:
    """What earlier releases do to this one's published units."""

    coarse: set[int]  # shown in coarser steps
    withheld: set[int]  # not shown at all
    # Shown, but without answer counts per statement.
    without_answer_counts: set[int]


def units_blurred_by_earlier(
    *,
    cycle: Cycle,
    published: set[int],
    earlier: Iterable[EarlierSurvey],
    counts: dict[int, dict[str, int]],
    readers: frozenset[int] | None = None,
) -> Blurred:
    """Coarse: the published units whose group or region some earlier published group or
    region differs from by 1 to k-1: in its invited people, in those of them who cannot read
    results (a reader can take their own answer out), its respondents, or the count of any one
    figure; or whose answerers may not be who was invited.

    A region is a unit's people less those of the published units right below it: the two
    releases give its figures by subtraction, so a department whose own people grew by one
    while its team grew by five must be as coarse as if it had grown by one.

    Withheld: beyond pairs and components, every combination of exact figures is checked, in
    people as invited: of each earlier survey's with this one's (pulse.cuts_between_surveys),
    then of all earlier surveys' with this one's (pulse.combinations_across_surveys). The
    units they find are withheld, and count as coarse ones do: in the nearest exact unit above.

    Without answer counts: the same pairs, components and combinations, 1 to DISTRIBUTION_K - 1
    apart from earlier releases that kept their answer counts (AnswerCountChecks)."""
    # This cycle's invitations and readers are read once, whatever the number of earlier cycles.
    # Whoever read any survey's results counts as a reader in every comparison: they know
    # their own answers whichever survey they read.
    surveys = iter(earlier)
    first = next(surveys, None)
    if first is None:
        # Nothing published before: nothing to compare, and no need to read who was invited.
        return Blurred(coarse=set(), withheld=set(), without_answer_counts=set())
    readers = readers_of_every_cycle() if readers is None else readers
    now_cells = invited_cells(cycle.pk, readers=readers)
    below_now = published_below(now_cells.parent_of, published)
    region_now = regions_of(counts, below_now)
    coarse: set[int] = set()
    # Withheld so that no combination of exact figures describes a few people: of this
    # survey's with each earlier survey's, then with all earlier surveys' together.
    withheld: set[int] = set()
    without_answer_counts: set[int] = set()
    earlier_atoms = EarlierAtoms()
    answer_counts = AnswerCountChecks(now_cells)
    # Only a group of DISTRIBUTION_K respondents or more can keep answer counts: the others'
    # people count in the unit above them, as in the releases' own decisions.
    may_keep_counts = {
        unit for unit in published if counts[unit].get(RESPONDENTS, 0) >= DISTRIBUTION_K
    }

    for survey, (earlier_cycle_id, releases) in enumerate(chain([first], surveys)):
        then_cells = invited_cells(earlier_cycle_id, readers=readers)
        # Every check below works from this one count of the two cycles' people.
        cycles = TwoCycles.of(now_cells, then_cells)
        below_then = published_below(then_cells.parent_of, set(releases))
        stored_of = {unit_id: release.counts for unit_id, release in releases.items()}
        region_then = regions_of(stored_of, below_then)
        exact_then = {unit_id for unit_id, release in releases.items() if release.exact}
        with_answer_counts = {
            unit_id for unit_id in exact_then if releases[unit_id].keeps_answer_counts
        }
        met = compare_cycles(
            cycles=cycles,
            unit_ids=published,
            earlier_unit_ids=set(releases),
            settled=coarse,  # a coarse unit stays coarse, whatever its other pairs say
        )
        for overlap in met.overlaps:
            if overlap.unit_id in coarse:
                # Coarse already, whatever this pair adds; and a coarse unit keeps no counts.
                continue
            now = region_now(overlap.unit_id) if overlap.region else counts[overlap.unit_id]
            stored = (
                region_then(overlap.earlier_unit_id)
                if overlap.earlier_region
                else stored_of[overlap.earlier_unit_id]
            )
            if few_apart(overlap, now, stored, cycle.k) or answerers_unknown(
                overlap, now, exact_then
            ):
                coarse.add(overlap.unit_id)
            elif overlap.earlier_unit_id in with_answer_counts and few_apart(
                overlap, now, stored, DISTRIBUTION_K
            ):
                without_answer_counts.add(overlap.unit_id)
        for component, earlier_units in met.components:
            if component.unit_ids <= coarse:
                continue
            now = summed([region_now(unit) for unit in component.unit_ids])
            stored = summed([region_then(unit) for unit in earlier_units])
            if few_apart(component, now, stored, cycle.k):
                coarse |= component.unit_ids
            elif with_answer_counts & set(earlier_units) and few_apart(
                component, now, stored, DISTRIBUTION_K
            ):
                without_answer_counts |= component.unit_ids
        coarse |= units_with_unsure_answerers(
            cycles=cycles,
            published=published,
            releases=releases,
            stored_of=stored_of,
            exact_then=exact_then,
        )
        coarse |= small_units_above(coarse, below_now, counts, cycle.k)
        # The units found coarse so far are left out: leaving out figures only merges regions,
        # so a cut found without them is there whatever else is found coarse later. A group
        # too large for a few people to move its whole points still counts: it stores its
        # answer counts per statement, exactly.
        withheld |= units_with_small_cuts(
            cycles=cycles,
            exact_now=published - coarse - withheld,
            exact_then=exact_then,
            k=cycle.k,
        )
        earlier_atoms.add(survey, then_cells, exact_then)
        answer_counts.against(
            survey, cycles, with_answer_counts, may_keep_counts - coarse - withheld
        )
    without_answer_counts |= answer_counts.stripped(may_keep_counts - coarse - withheld)
    if earlier_atoms.surveys >= 2:
        withheld |= units_in_small_combinations(
            now=now_cells,
            exact_now=published - coarse - withheld,
            earlier=earlier_atoms,
            k=cycle.k,
        )
    return Blurred(
        coarse=coarse - withheld,
        withheld=withheld,
        without_answer_counts=without_answer_counts - coarse - withheld,
    )


@dataclass
class AnswerCountChecks:
    """Every combination of answer counts per statement, as of exact figures (pulse.trends
    above), at their own threshold: within a survey they need DISTRIBUTION_K people, so across
    surveys no combination of them may describe 1 to DISTRIBUTION_K - 1 people who cannot read
    results. Only earlier releases that kept their answer counts take part; of this survey,
    every exact unit may (whether it keeps them is decided per statement later, and taking too
    many only takes counts from more units). A unit found keeps none, and is otherwise shown
    as it would be. Built a survey at a time, like the checks of exact figures."""

    now: InvitedCells
    atoms: EarlierAtoms = field(default_factory=EarlierAtoms)
    found: set[int] = field(default_factory=set)

    def against(self, survey: int, cycles: TwoCycles, kept: set[int], exact_now: set[int]) -> None:
        self.found |= units_with_small_cuts(
            cycles=cycles, exact_now=exact_now - self.found, exact_then=kept, k=DISTRIBUTION_K
        )
        self.atoms.add(survey, cycles.then, kept)

    def stripped(self, exact_now: set[int]) -> set[int]:
        if self.atoms.surveys >= 2:
            self.found |= units_in_small_combinations(
                now=self.now, exact_now=exact_now - self.found, earlier=self.atoms, k=DISTRIBUTION_K
            )
        return self.found


def answerers_unknown(overlap: GroupOverlap, now: dict[str, int], exact_then: set[int]) -> bool:
    """Does a group that not everyone answered share people with an earlier exact release?
    Then it is shown coarser, however far apart the two are."""
    return (
        not overlap.region
        and overlap.earlier_unit_id in exact_then
        and not fully_answered(now, overlap.invited)
    )


def units_with_unsure_answerers(
    *,
    cycles: TwoCycles,
    published: set[int],
    releases: dict[int, EarlierRelease],
    stored_of: dict[int, dict[str, int]],
    exact_then: set[int],
) -> set[int]:
    """The published units of this survey holding someone who was, in the earlier survey, in
    an exact group but in no released group that everyone answered: who of them answered then
    is known to the holder of a backup, not to the checks, which count people as invited.
    `stored_of` is each earlier release's counts (RESPONDENTS and stored_counts)."""
    now, then = cycles.now, cycles.then
    invited, _ = cycles.earlier_group_sizes(set(releases))
    answered_by_all = {
        unit_id
        for unit_id, release in releases.items()
        if release.shows_everything
        and fully_answered(stored_of[unit_id], invited[(unit_id, False)])
    }
    sure = holders(then.parent_of, answered_by_all)
    exact = holders(then.parent_of, exact_then)
    unsure_cells = {
        cell
        for before, cell, _reads in cycles.people
        if cell is not None and before is not None and exact(before) and not sure(before)
    }
    holding_now = holders(now.parent_of, published)
    return {unit for cell in unsure_cells for unit in holding_now(cell)}


def fully_answered(counts: dict[str, int], invited: int) -> bool:
    """Did everyone invited answer, every statement they were asked? Only then is who answered
    each figure known to be who was invited: the checks of every combination of figures count
    people as invited, and an insider who knows who answered (from backups taken while the
    survey was open) could combine figures whose answerers rotate however their invited people
    stay. A figure of no answers was not asked, or is hidden."""
    return counts.get(RESPONDENTS) == invited and all(
        count in (0, invited) for count in counts.values()
    )


def keeps_answer_counts(figures: UnitFigures) -> bool:
    """Did a release store answer counts or means per statement? Only a whole-point release
    whose people could not differ by a few does; those are exact, however large the group."""
    return any(
        question["distribution"] is not None or question["mean"] is not None
        for question in figures.get("questions", {}).values()
    )


def blurred_by_rounding(counts: dict[str, int], k: int) -> bool:
    """Does rounding to whole points already cover what k-1 people move every figure of a
    group by (coarse_step)? Then no sum of its figures with others describes a few people."""
    smallest = min((count for count in counts.values() if count > 0), default=0)
    return coarse_step(respondents=smallest, k=k) == FINE_PRECISION


def few_apart(
    people: GroupOverlap | RegionComponent, now: dict[str, int], stored: dict[str, int], k: int
) -> bool:
    """Do two groups differ by 1 to k-1: in people, in people who cannot read results, in
    respondents, or in the count of any one figure both publish? Or could the people counted
    in one figure differ by 1 to k-1, though the counts are the same?"""
    if changed_by_few(people.changed, k) or changed_by_few(people.changed_not_reading, k):
        return True
    # Most figures count the same people as the group's respondents: each pair of counts is
    # checked once, whichever figures share it.
    pairs = {(now[name], stored[name]) for name in now.keys() & stored.keys()}
    return any(
        changed_by_few(abs(answered - answered_before), k)
        or respondents_may_differ_by_few(people, answered, answered_before, k)
        for answered, answered_before in pairs
    )


def respondents_may_differ_by_few(
    people: GroupOverlap | RegionComponent, answered: int, answered_before: int, k: int
) -> bool:
    """Could `answered` of this group's people and `answered_before` of the earlier group's
    differ by 1 to k-1 people who cannot read results?

    Who answered is not kept past close, but someone who took backups while both surveys
    were open knows it: when one person answers in place of another, every count is the same
    and the difference of the two releases is the difference of those two people's answers.
    So the bound is taken over every way the counts could have been made up. The answerers of
    both can share at most min(answered, answered_before, shared) people and at least what the
    groups leave no room to avoid; readers (who know their own answers) may be any of those
    who differ. Only when everyone invited answered both times, or the respondents differ by
    k or more people who cannot read results whoever they are, is the later release as fine
    as the earlier."""
    most_in_both = min(answered, answered_before, people.shared)
    least_in_both = max(
        0, answered + answered_before - people.invited - people.earlier_invited + people.shared
    )
    fewest_apart = answered + answered_before - 2 * most_in_both - people.readers
    most_apart = answered + answered_before - 2 * least_in_both
    return most_apart >= 1 and fewest_apart < k


def summed(parts: list[dict[str, int]]) -> dict[str, int]:
    """The counts of a union of regions, for the figures every one of them has."""
    if not parts:
        return {}
    names = set.intersection(*(set(part) for part in parts))
    return {name: sum(part[name] for part in parts) for name in names}


def small_units_above(
    coarse: set[int], below: dict[int, list[int]], counts: dict[int, dict[str, int]], k: int
) -> set[int]:
    """The published units above a coarse one that whole points do not already blur enough.

    A few people's change inside a region is also in every figure above it: a department less
    a team two levels down, across two surveys, spans the region of the unit in between. Any
    sum of published figures that counts the region counts the region's unit or one above it,
    so those are shown coarser too, unless the group is so large (200 (k-1) respondents:
    eNPS, the widest scale, in whole points then moves by less than one step for k-1 people)
    that rounding to whole points already covers what k-1 people could move."""
    parent_of = {child: parent for parent, children in below.items() for child in children}
    above: set[int] = set()
    for unit in coarse:
        parent = parent_of.get(unit)
        while parent is not None:
            if counts.get(parent, {}).get(RESPONDENTS, 0) < 200 * (k - 1):
                above.add(parent)
            parent = parent_of.get(parent)
    return above


def regions_of(
    counts: dict[int, dict[str, int]], below: dict[int, list[int]]
) -> Callable[[int], dict[str, int]]:
    """unit → its region_counts, each computed once: a region meets many earlier groups."""
    found: dict[int, dict[str, int]] = {}

    def of(unit_id: int) -> dict[str, int]:
        if unit_id not in found:
            found[unit_id] = region_counts(counts, unit_id, below)
        return found[unit_id]

    return of


def region_counts(
    counts: dict[int, dict[str, int]], unit_id: int, below: dict[int, list[int]]
) -> dict[str, int]:
    """A unit's counts less those of the published units right below it, for the figures all
    of them publish (a figure hidden below cannot be subtracted). A unit with none below it is
    its own region: its counts are returned as they are (not a copy; callers only read them),
    since most units are such, and a copy of each would be held for the whole comparison."""
    parts = [counts.get(child, {}) for child in below.get(unit_id, [])]
    own = counts.get(unit_id, {})
    if not parts:
        return own
    return {
        name: count - sum(part[name] for part in parts)
        for name, count in own.items()
        if all(name in part for part in parts)
    }


ENPS = "enps"
FOLLOW_THROUGH = "follow_through"


# Cached, so every unit's counts share one string per name rather than holding their own.
@cache
def question_count(key: str) -> str:
    return f"question:{key}"


@cache
def domain_count(domain: str) -> str:
    return f"domain:{domain}"


def figure_counts(stats: GroupStats | None, questions: list[Question]) -> FigureCounts:
    """How many of a group's ballots count in each figure a release publishes, and in all."""
    stats = stats or GroupStats()
    counts = {
        RESPONDENTS: stats.respondents,
        ENPS: stats.answered_enps(),
        FOLLOW_THROUGH: stats.answered(FOLLOW_THROUGH_KEY),
    }
    for domain in DOMAINS:
        counts[domain_count(domain)] = stats.answered_domain(domain)
    for question in questions:
        counts[question_count(question.key)] = stats.answered(question.key)
    return counts


def stored_counts(figures: UnitFigures) -> dict[str, int]:
    """The count of each figure an earlier release published, by the names figure_counts_of
    gives them; a hidden figure has none."""
    counts: dict[str, int] = {}
    if figures.get("enps_respondents") is not None:
        counts[ENPS] = figures["enps_respondents"] or 0
    if "follow_through" in figures:
        counts[FOLLOW_THROUGH] = figures["follow_through"]["respondents"]
    for domain, figure in figures.get("domains", {}).items():
        counts[domain_count(domain)] = figure["respondents"]
    for key, question in figures.get("questions", {}).items():
        if question["respondents"] is not None:
            counts[question_count(key)] = question["respondents"]
    return counts


def changed_by_few(changed: int, k: int) -> bool:
    return 1 <= changed < k


def link_trends(*, released: dict[int, UUID], comparisons: dict[int, Comparison]) -> None:
    """Link each released unit (`released`: unit id → its ReleasedUnit's id) to the earlier
    releases its trend is drawn from."""
    links = (
        (release_id, before)
        for unit_id, release_id in released.items()
        if unit_id in comparisons
        for before in comparisons[unit_id].trend_from
    )
    insert_rows(ReleasedUnit.trend_from.through, ("from_releasedunit", "to_releasedunit"), links)
