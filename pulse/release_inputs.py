"""What a release reads from the response store, per reporting unit."""

from collections import defaultdict

from pulse.models import Comment, PendingBallot, Response
from pulse.scoring import Ballot


def has_pending_ballots(cycle_id: int) -> bool:
    return PendingBallot.objects.filter(cycle_id=cycle_id).exists()


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
