"""Conversation guides for a team's weakest domain: questions to ask, one practice to try."""

from dataclasses import dataclass

from surveys.instrument import Domain


@dataclass(frozen=True)
class Guide:
    why: str
    questions: tuple[str, ...]
    practice: str


GUIDES = {
    Domain.RISK_AND_FAILURE: Guide(
        why="People hold back from trying things when a miss seems to count against them.",
        questions=(
            "What is something you would try if you knew it could fail without consequences?",
            "When something went wrong recently, what happened next for the person involved?",
            "What would make it easier to raise a mistake early?",
        ),
        practice="Open your next team meeting by sharing a mistake of your own and what you "
        "learned, then ask what the team would do differently. Do it for a month.",
    ),
    Domain.OPEN_CONVERSATION: Guide(
        why="Problems and disagreements stay unspoken, so they surface late or not at all.",
        questions=(
            "Which topic do we avoid in our meetings?",
            "When did you last disagree with a decision here, and did you say so?",
            "What could I do differently so that bad news reaches me sooner?",
        ),
        practice="Before closing a decision, ask explicitly for the strongest argument against "
        "it, and thank whoever gives it, whatever you decide.",
    ),
    Domain.WILLINGNESS_TO_HELP: Guide(
        why="People struggle alone because asking for help feels costly.",
        questions=(
            "Who did you last ask for help, and how did it go?",
            "What stops you from asking a colleague when you are stuck?",
            "Where could we share work more evenly?",
        ),
        practice="Add a standing 'where are you stuck?' round to the weekly meeting, and make "
        "pairing on those items the first priority of the day after.",
    ),
    Domain.INCLUSIVITY: Guide(
        why="Some people feel their skills, background or voice count for less here.",
        questions=(
            "Whose ideas do we tend to hear, and whose do we miss?",
            "Which of your skills do we not use enough?",
            "What would make someone new feel they belong here in their first month?",
        ),
        practice="Rotate who runs the team meeting and collect written input before "
        "discussions, so the quieter voices are heard first.",
    ),
}
