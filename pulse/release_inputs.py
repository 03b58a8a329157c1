"""What a release reads from the response store, per reporting unit."""

from collections import defaultdict

from pulse.models import Comment, PendingBallot, Response
from pulse.release_stats import GroupStats
from pulse.scoring import Ballot, Question

# Rows fetched per round trip while streaming a cycle's responses: a release holds counts per
# unit, never every ballot at once.
CHUNK_SIZE = 2000


def has_pending_ballots(cycle_id: int) -> bool:
    return PendingBallot.objects.filter(cycle_id=cycle_id).exists()


def ballots_by_unit(cycle_id: int) -> dict[int, list[Ballot]]:
    ballots: dict[int, list[Ballot]] = defaultdict(list)
    for unit_id, answers, enps in Response.objects.filter(cycle_id=cycle_id).values_list(
        "reporting_unit_id", "answers", "enps"
    ):
        ballots[unit_id].append(Ballot(answers=answers, enps=enps))
    return ballots


def stats_by_unit(cycle_id: int, questions: list[Question]) -> tuple[dict[int, GroupStats], int]:
    """Unit id → the stats of the ballots stored under that unit itself, and how many ballots
    there were in all: the responses are streamed, each counted once and dropped."""
    stats: dict[int, GroupStats] = {}
    total = 0
    rows = Response.objects.filter(cycle_id=cycle_id).values_list(
        "reporting_unit_id", "answers", "enps"
    )
    for unit_id, answers, enps in rows.iterator(chunk_size=CHUNK_SIZE):
        unit_stats = stats.get(unit_id)
        if unit_stats is None:
            unit_stats = stats[unit_id] = GroupStats.of(questions)
        unit_stats.count_answers(answers, enps)
        total += 1
    return stats, total


def comments_by_unit(cycle_id: int) -> dict[int, list[str]]:
    comments: dict[int, list[str]] = defaultdict(list)
    rows = Comment.objects.filter(cycle_id=cycle_id).values_list("reporting_unit_id", "text")
    for unit_id, text in rows.iterator(chunk_size=CHUNK_SIZE):
        comments[unit_id].append(text)
    return comments
