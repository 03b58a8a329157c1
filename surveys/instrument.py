"""The instrument: four domains, a 7-point agreement scale, eNPS, and the monthly rotation.

Every item belongs to one of three rotation groups. The quarterly survey asks every active item;
a monthly pulse asks the group of its month within the quarter, so over a quarter's three months
each item is asked exactly once. Validation below keeps at least one item per domain in each group.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models


class Domain(models.TextChoices):
    RISK_AND_FAILURE = "risk", "Risk and failure"
    OPEN_CONVERSATION = "conversation", "Open conversation"
    WILLINGNESS_TO_HELP = "help", "Willingness to help"
    INCLUSIVITY = "inclusivity", "Inclusivity"


# The domains' values in order, made once: Domain.values builds a new list on every use, and a
# release uses it for every unit.
DOMAINS: tuple[str, ...] = tuple(Domain.values)


class SurveyKind(models.TextChoices):
    MONTHLY_PULSE = "monthly", "Monthly pulse"
    QUARTERLY_FULL = "quarterly", "Quarterly full set"


# The agreement scale of every item, 1 (strongly disagree) to 7 (strongly agree).
SCALE_MIN, SCALE_MAX = 1, 7
SCALE_VALUES = range(SCALE_MIN, SCALE_MAX + 1)
# eNPS: 0 to 10; promoters answer 9-10, detractors 0-6.
ENPS_MIN, ENPS_MAX = 0, 10
ENPS_VALUES = range(ENPS_MIN, ENPS_MAX + 1)
# The lowest minimum group size k (and k_comment) a cadence may set: below 3, one respondent
# who knows their own answer could read off another's from a pair.
MIN_K = 3
SCALE_LABELS = {
    1: "Strongly disagree",
    2: "Disagree",
    3: "Somewhat disagree",
    4: "Neither agree nor disagree",
    5: "Somewhat agree",
    6: "Agree",
    7: "Strongly agree",
}
ROTATION_GROUPS = (1, 2, 3)
ENPS_QUESTION = "How likely are you to recommend this team as a place to work to a friend?"
COMMENT_PROMPT = "Anything else you would like your team to know? (optional)"
# The follow-through item: asked, on the agreement scale, of the people of a reporting unit
# that was shown a shared focus. It belongs to no domain and is not reverse-keyed; the cycle
# freezes this text and the door names the unit's focus domain in it.
FOLLOW_THROUGH_KEY = "follow_through"
FOLLOW_THROUGH_TEXT = "Since the last pulse, we did what we said we would do on {focus}."


@dataclass(frozen=True)
class ItemSpec:
    """What a survey needs of an item, whether it comes from the catalogue or a frozen cycle."""

    key: str
    domain: str
    rotation_group: int


def rotation_group_for_month(month: int) -> int:
    """January, April, July, October ask group 1; the next month group 2; the third group 3."""
    return (month - 1) % 3 + 1


def select_items(items: Iterable[ItemSpec], *, kind: str, month: int) -> list[ItemSpec]:
    """The items a survey of `kind` opening in `month` asks, in domain order."""
    domain_order = {domain: position for position, domain in enumerate(Domain.values)}
    if kind == SurveyKind.QUARTERLY_FULL:
        chosen = list(items)
    else:
        group = rotation_group_for_month(month)
        chosen = [item for item in items if item.rotation_group == group]
    return sorted(chosen, key=lambda item: (domain_order[item.domain], item.key))


def coverage_problems(items: Iterable[ItemSpec]) -> list[str]:
    """Why a set of active items cannot make valid surveys; empty when it can."""
    items = list(items)
    problems = []
    for domain in Domain:
        in_domain = [item for item in items if item.domain == domain.value]
        if len(in_domain) < 3:
            problems.append(
                f"{domain.label} needs at least 3 active items, it has {len(in_domain)}."
            )
        for group in ROTATION_GROUPS:
            if not any(item.rotation_group == group for item in in_domain):
                problems.append(
                    f"{domain.label} has no active item in rotation group {group}, so the "
                    f"monthly pulse of month {group} of each quarter would skip it."
                )
    return problems


def minutes_for(question_count: int) -> int:
    """How long a survey of `question_count` questions (items and eNPS) takes, as the email and
    the answer page both say."""
    # A monthly pulse (about five questions) takes a minute; the quarterly full set about three.
    return 1 if question_count <= 8 else 3


def how_long(question_count: int) -> str:
    minutes = minutes_for(question_count)
    return f"{question_count} questions, about " + (
        "a minute" if minutes == 1 else f"{minutes} minutes"
    )
