"""Checking answers against a cycle's questions: every problem reported by field."""

from dataclasses import dataclass, field

from surveys.models import CycleItem

SCALE = range(1, 8)
ENPS_SCALE = range(0, 11)
COMMENT_MAX_LENGTH = 2000


@dataclass
class AnswerSheet:
    """Validated answers: item key → 1..7 (skipped items absent), eNPS or None, a comment."""

    answers: dict[str, int] = field(default_factory=dict)
    enps: int | None = None
    comment: str = ""


class InvalidAnswers(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("invalid answers")
        self.errors = errors


def validate_answers(
    *, items: list[CycleItem], answers: dict, enps: object, comment: object
) -> AnswerSheet:
    """Check raw answers against the cycle's items; every problem reported by field."""
    errors: dict[str, str] = {}
    keys = {item.key for item in items}
    sheet = AnswerSheet()
    if not isinstance(answers, dict):
        raise InvalidAnswers({"answers": "must map each question's key to an answer from 1 to 7"})
    for key, value in answers.items():
        if key not in keys:
            errors[str(key)] = "is not a question of this survey"
        elif value in (None, ""):
            continue  # skipped
        elif as_int(value) not in SCALE:
            errors[key] = "must be a whole number from 1 (strongly disagree) to 7 (strongly agree)"
        else:
            sheet.answers[key] = as_int(value)
    if enps not in (None, ""):
        if as_int(enps) not in ENPS_SCALE:
            errors["enps"] = "must be a whole number from 0 to 10"
        else:
            sheet.enps = as_int(enps)
    if comment is not None and not isinstance(comment, str):
        errors["comment"] = "must be text"
    else:
        sheet.comment = (comment or "").strip()
        if len(sheet.comment) > COMMENT_MAX_LENGTH:
            errors["comment"] = (
                f"is {len(sheet.comment)} characters long; please keep it under "
                f"{COMMENT_MAX_LENGTH}"
            )
    if errors:
        raise InvalidAnswers(errors)
    return sheet


def as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None
