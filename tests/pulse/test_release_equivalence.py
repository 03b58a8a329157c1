"""The release sums its roll-ups bottom-up instead of scoring every subtree's ballots again: on
any tree, any answers, skips, comments and thresholds it publishes exactly what the release
that listed every ballot of every subtree published (tests/pulse/release_oracle.py): every
figure, every suppression and its reason, every comment."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pulse.release as release
from pulse.models import Comment, ReleasedUnit, Response
from pulse.release_stats import GroupStats, figures_of, stats_of
from pulse.scoring import Ballot, Question
from pulse.trends import Comparison
from surveys.instrument import FOLLOW_THROUGH_KEY, Domain
from surveys.models import Cadence, Cycle, CycleItem, CycleState, CycleTeam
from tests.pulse import release_oracle
from tests.pulse.comment_reading import every_comment

QUESTIONS = [
    Question("risk-a", Domain.values[0], reverse_scored=False),
    Question("risk-b", Domain.values[0], reverse_scored=True),
    Question("talk-a", Domain.values[1], reverse_scored=False),
    Question("help-a", Domain.values[2], reverse_scored=True),
    Question("help-b", Domain.values[2], reverse_scored=False),
    Question("incl-a", Domain.values[3], reverse_scored=False),
]
FOLLOW_THROUGH = Question(FOLLOW_THROUGH_KEY, "", reverse_scored=False)


@st.composite
def ballots(draw: st.DrawFn, keys: list[str]) -> Ballot:
    answered = draw(st.lists(st.sampled_from(keys), unique=True))
    return Ballot(
        answers={key: draw(st.integers(1, 7)) for key in answered},
        enps=draw(st.none() | st.integers(0, 10)),
    )


@settings(max_examples=80, deadline=None)
@given(
    groups=st.lists(
        st.lists(ballots([q.key for q in QUESTIONS] + [FOLLOW_THROUGH_KEY]), max_size=12),
        min_size=1,
        max_size=4,
    ),
    asked=st.lists(st.sampled_from(QUESTIONS), min_size=1, unique=True),
)
def test_summed_stats_score_exactly_as_the_ballots_themselves(groups, asked) -> None:
    """Every float, not only the rounded figures: means, shares, spreads, eNPS and index."""
    total = GroupStats()
    for group in groups:
        total.add(stats_of(group, asked))
    everyone = [ballot for group in groups for ballot in group]
    assert figures_of(total, asked) == release_oracle.score(everyone, asked)


@st.composite
def cycles(draw: st.DrawFn) -> dict[str, Any]:
    """A snapshot: teams in a tree, some merged into their parent's unit, with eligible
    counts, viewers, answers (with skips), comments, thresholds and earlier-release steps."""
    size = draw(st.integers(1, 14))
    parents: list[int | None] = [None]
    merged = [False]
    for team in range(1, size):
        parents.append(draw(st.integers(0, team - 1)))
        merged.append(draw(st.booleans()))
    keys = [q.key for q in QUESTIONS]
    asked = draw(st.lists(st.sampled_from(QUESTIONS), min_size=1, unique=True))
    follow_through = draw(st.booleans())
    answerable = [q.key for q in asked] + ([FOLLOW_THROUGH_KEY] if follow_through else [])
    return {
        "k": draw(st.integers(3, 6)),
        "k_comment": draw(st.integers(3, 10)),
        "parents": parents,
        "merged": merged,
        "eligible": [draw(st.integers(0, 16)) for _ in range(size)],
        "focused": [draw(st.booleans()) for _ in range(size)],
        "viewers": [draw(st.integers(0, 3)) for _ in range(size)],
        "precision": [draw(st.sampled_from([1, 1, 10, 25, 50])) for _ in range(size)],
        "withheld": [draw(st.integers(0, 5)) == 0 for _ in range(size)],
        "asked": asked,
        "follow_through": follow_through,
        # A stray answer to an item the cycle did not ask counts for nothing.
        "ballots": [
            draw(st.lists(ballots(answerable + keys[:1]), max_size=14)) for _ in range(size)
        ],
        "comments": [
            draw(st.lists(st.sampled_from(["More focus time.", "Fewer meetings.", "Thanks"])))
            for _ in range(size)
        ],
    }


def build(spec: dict[str, Any]) -> Cycle:
    now = timezone.now()
    cycle = Cycle.objects.create(
        cadence=Cadence.objects.create(name="Monthly", kind="monthly"),
        period="2026-11",
        kind="monthly",
        state=CycleState.CLOSED,
        opens_at=now - timedelta(days=7),
        closes_at=now,
        k=spec["k"],
        k_comment=spec["k_comment"],
    )
    items = [*spec["asked"], *([FOLLOW_THROUGH] if spec["follow_through"] else [])]
    CycleItem.objects.bulk_create(
        CycleItem(
            cycle=cycle,
            position=position,
            key=question.key,
            item_version=1,
            domain=question.domain,
            text=question.key,
            reverse_scored=question.reverse_scored,
        )
        for position, question in enumerate(items)
    )
    teams: list[CycleTeam] = []
    for index, parent in enumerate(spec["parents"]):
        team = CycleTeam.objects.create(
            cycle=cycle,
            parent=teams[parent] if parent is not None else None,
            name=f"Team {index}",
            manager_name="",
            eligible_count=spec["eligible"][index],
            focus_domain=Domain.values[0] if spec["focused"][index] else "",
        )
        unit = (
            teams[parent].reporting_unit if spec["merged"][index] and parent is not None else team
        )
        team.reporting_unit = unit
        teams.append(team)
    for team, eligible in zip(teams, spec["eligible"], strict=True):
        unit = team.reporting_unit
        assert unit is not None
        unit.unit_eligible_count += eligible
    for team in teams:
        team.save()
    units = [team.reporting_unit for team in teams]
    Response.objects.bulk_create(
        Response(cycle=cycle, reporting_unit=unit, answers=dict(ballot.answers), enps=ballot.enps)
        for unit, given in zip(units, spec["ballots"], strict=True)
        for ballot in given
    )
    Comment.objects.bulk_create(
        Comment(cycle=cycle, reporting_unit=unit, text=text)
        for unit, texts in zip(units, spec["comments"], strict=True)
        for text in texts
    )
    return cycle


@contextmanager
def earlier_releases_and_viewers(
    spec: dict[str, Any], cycle: Cycle, calls: list[dict[str, Any]]
) -> Iterator[None]:
    """Stand-ins for what the rest of the database would say: the viewers invited in each
    cell, and each published unit's step from earlier releases (recording what was asked)."""
    team_ids = list(
        CycleTeam.objects.filter(cycle=cycle).order_by("pk").values_list("pk", flat=True)
    )
    viewers = dict(zip(team_ids, spec["viewers"], strict=True))
    precision = dict(zip(team_ids, spec["precision"], strict=True))
    withheld = dict(zip(team_ids, spec["withheld"], strict=True))

    def compare_with_earlier(**asked: Any) -> dict[int, Comparison]:
        # The readers are what the release read once for its own use, not what was asked.
        calls.append(
            {name: value for name, value in asked.items() if name not in ("cycle", "readers")}
        )
        return {
            unit: Comparison(trend_from=[], precision=precision[unit], withheld=withheld[unit])
            for unit in asked["team_of_unit"]
        }

    with pytest.MonkeyPatch.context() as patch:
        for module in (release, release_oracle):
            patch.setattr(module, "viewers_per_unit", lambda cycle_id, readers=None: viewers)
            patch.setattr(module, "compare_with_earlier", compare_with_earlier)
        yield


def published_set(cycle: Cycle, comments_of: Callable[[ReleasedUnit], list[str]]) -> dict:
    """Every unit's published figures, and the comments its pages show (`comments_of`)."""
    units = list(ReleasedUnit.objects.filter(cycle=cycle))
    comments = {unit.unit_id: comments_of(unit) for unit in units if unit.comments_released}
    return {
        unit.unit_id: (
            unit.parent_unit_id,
            unit.status,
            unit.reason,
            unit.eligible,
            unit.respondents,
            unit.figures,
            unit.comments_released,
            sorted(comments.get(unit.unit_id, [])),
        )
        for unit in units
    }


def released_by(
    write_release: Any, cycle: Cycle, comments_of: Callable[[ReleasedUnit], list[str]]
) -> tuple[int, dict[int, tuple]]:
    with transaction.atomic():
        read = write_release(Cycle.objects.get(pk=cycle.pk))
        published = published_set(cycle, comments_of)
        transaction.set_rollback(True)
    return read, published


def oracle_copies(unit: ReleasedUnit) -> list[str]:
    return release_oracle.copies_by_unit.get(unit.unit_id, [])


@pytest.mark.slow  # about 20 s: a database round per example
@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=cycles())
def test_the_summed_release_publishes_what_scoring_every_subtree_published(spec) -> None:
    with transaction.atomic():
        cycle = build(spec)
        calls: list[dict[str, Any]] = []
        with earlier_releases_and_viewers(spec, cycle, calls):
            expected = released_by(release_oracle.write_release, cycle, oracle_copies)
            actual = released_by(release.write_release, cycle, every_comment)
        assert actual == expected
        # The comparison with earlier releases was asked about the same groups and counts.
        assert calls[1] == calls[0]
        transaction.set_rollback(True)
