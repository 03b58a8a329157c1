"""What an answer may contain: the one definition, used by the JSON API and the answer page.

`AnswerSheetSerializer` checks raw answers against the questions of the survey behind the link
(given in its context) and reports every problem by field. The answer page's form only renders
the questions and collects the radio buttons; its values are checked here too.

A sheet with nothing answered (no scale answer, no eNPS, no comment: `nothing_answered`) is
not accepted either (`NothingAnswered`): it would use the link up and count a respondent who
said nothing. The rule reads the sheet as sent, needing no survey, so the door can apply it
before the link is touched: an empty sheet records nothing anywhere, not a ballot, not the
invitation, not a count (docs/anonymity.md, "An empty answer").

Everything accepted can be stored: a comment with a NUL character or a lone surrogate is
refused with a field error (pulse.storable_text), and answers are whole numbers written with the
digits 0 to 9 (Python's int() also reads Arabic-Indic or fullwidth digits, which no form sends).
"""

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rest_framework import serializers

from pulse.storable_text import first_unstorable, shown
from surveys.instrument import ENPS_VALUES, SCALE_VALUES
from surveys.redemption import Survey

COMMENT_MAX_LENGTH = 2000
# Newlines and tabs are kept; every other control character is dropped, so a comment is text
# a reader sees, and a sealed ballot's size stays within its padding (pulse.sealing).
KEPT_CONTROL_CHARACTERS = {"\n", "\t"}


@dataclass
class AnswerSheet:
    """Validated answers: item key → 1..7 in question order (skipped items absent), eNPS or
    None, and a comment ("" when none)."""

    answers: dict[str, int] = field(default_factory=dict)
    enps: int | None = None
    comment: str = ""

    def payload(self) -> dict:
        return {"answers": self.answers, "enps": self.enps, "comment": self.comment}


def readable_comment(comment: str) -> str:
    """The comment as it is kept: control characters but newlines and tabs dropped, trimmed."""
    return "".join(
        character
        for character in comment
        if character in KEPT_CONTROL_CHARACTERS or unicodedata.category(character) != "Cc"
    ).strip()


def is_left_blank(value: object) -> bool:
    return value is None or value == ""


def nothing_answered(data: object) -> bool:
    """Whether a sheet, as sent, answers nothing: every scale answer and the eNPS left out or
    blank, and no comment once it is read as it would be kept. Anything else (a value off the
    scale, a comment that is not text) is not "nothing" but for the serializer to refuse."""
    if not isinstance(data, dict):
        return False
    answers = data.get("answers")
    comment = data.get("comment")
    return (
        (
            answers is None
            or (isinstance(answers, dict) and all(map(is_left_blank, answers.values())))
        )
        and is_left_blank(data.get("enps"))
        and (comment is None or (isinstance(comment, str) and not readable_comment(comment)))
    )


SCALE_MESSAGE = "must be a whole number from 1 (strongly disagree) to 7 (strongly agree)"
ENPS_MESSAGE = "must be a whole number from 0 to 10"


class WholeNumberField(serializers.IntegerField):
    """A JSON number, or a string of the digits 0 to 9, never other scripts' digits."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, str) and not data.isascii():
            self.fail("invalid")
        return super().to_internal_value(data)


def whole_number(*, within: range, message: str, optional: bool = False) -> WholeNumberField:
    """A whole number in `within` or null; `optional`: it may also be left out."""
    if optional:
        return WholeNumberField(
            allow_null=True,
            required=False,
            default=None,
            min_value=within.start,
            max_value=within.stop - 1,
            error_messages={"min_value": message, "max_value": message, "invalid": message},
        )
    return WholeNumberField(
        allow_null=True,
        min_value=within.start,
        max_value=within.stop - 1,
        error_messages={"min_value": message, "max_value": message, "invalid": message},
    )


class StorableTextField(serializers.CharField):
    """Text the database will store: a NUL character or a lone surrogate is refused, naming
    the character and where it is (DRF's own checks would say neither)."""

    def to_internal_value(self, data: Any) -> str:
        text = super().to_internal_value(data)
        unstorable = first_unstorable(text)
        if unstorable:
            raise serializers.ValidationError(unstorable.message(), code="unstorable")
        return text


class AnswersField(serializers.DictField):
    """Question key → answer. Every problem is reported under its question's key: an unknown
    key and a value off the scale alike."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(child=whole_number(within=SCALE_VALUES, message=SCALE_MESSAGE), **kwargs)

    def run_child_validation(self, data: Mapping[str, Any]) -> dict[str, Any]:
        survey: Survey = self.context["survey"]
        keys = [question.key for question in survey.questions]
        answers: dict[str, int | None] = {}
        errors: dict[str, Any] = {}
        for key, value in data.items():
            if key not in keys:
                # Named as sent, but with any unstorable character written as an escape: the
                # error must be renderable, as JSON and on the page.
                errors[shown(str(key))] = ["is not a question of this survey"]
                continue
            try:
                answers[key] = self.child.run_validation(None if value == "" else value)
            except serializers.ValidationError as invalid:
                errors[key] = invalid.detail
        if errors:
            raise serializers.ValidationError(errors)
        # Question order, whatever order the client sent: the stored answers must not say
        # which client (form or script) answered.
        return {key: answers[key] for key in keys if answers.get(key) is not None}


class AnswerSheetSerializer(serializers.Serializer):
    answers = AnswersField(
        required=False,
        default=dict,
        help_text="Question key → 1 (strongly disagree) … 7 (strongly agree); omit to skip.",
    )
    enps = whole_number(within=ENPS_VALUES, message=ENPS_MESSAGE, optional=True)
    comment = StorableTextField(
        allow_blank=True,
        allow_null=True,
        required=False,
        default="",
        trim_whitespace=True,
        max_length=COMMENT_MAX_LENGTH,
        error_messages={"max_length": f"is too long; please keep it under {COMMENT_MAX_LENGTH}"},
    )

    def to_internal_value(self, data: object) -> dict:
        if isinstance(data, dict) and data.get("enps") == "":
            data = {**data, "enps": None}  # an empty form field: skipped
        return super().to_internal_value(data)

    def validate_comment(self, comment: str | None) -> str:
        return readable_comment(comment or "")

    def sheet(self) -> AnswerSheet:
        data = self.validated_data
        return AnswerSheet(answers=data["answers"], enps=data["enps"], comment=data["comment"])


class InvalidAnswers(Exception):
    def __init__(self, errors: dict) -> None:
        super().__init__("invalid answers")
        self.errors = errors


NOTHING_ANSWERED = (
    "Nothing was answered: no question, no recommendation and no comment. Nothing was "
    "recorded, and the link still works until the survey closes."
)


class NothingAnswered(InvalidAnswers):
    """A sheet with nothing in it: refused, before the link is touched, so it counts nowhere."""

    def __init__(self) -> None:
        super().__init__({"non_field_errors": [NOTHING_ANSWERED]})


def checked_sheet(*, survey: Survey, data: object) -> AnswerSheet:
    """The validated sheet; NothingAnswered for a sheet that answers nothing, or InvalidAnswers
    with every problem by field."""
    if not isinstance(data, dict):
        raise InvalidAnswers(
            {"non_field_errors": ["Send a JSON object with answers, enps and comment."]}
        )
    if nothing_answered(data):
        raise NothingAnswered()
    serializer = AnswerSheetSerializer(data=data, context={"survey": survey})
    if not serializer.is_valid():
        raise InvalidAnswers(flatten(serializer.errors))
    return serializer.sheet()


def flatten(errors: dict) -> dict:
    """Nested errors of the answers dict become `{question key: [message]}` beside the others."""
    flat: dict = {}
    for name, problems in errors.items():
        if name == "answers" and isinstance(problems, dict):
            for key, messages in problems.items():
                flat[str(key)] = messages if isinstance(messages, list) else [messages]
        else:
            flat[name] = problems if isinstance(problems, list) else [problems]
    return flat
