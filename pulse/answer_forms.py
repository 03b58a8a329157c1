"""The answer form: one optional 7-point question per item, eNPS, and a comment.

It only renders; what is accepted is checked by pulse.answer_sheet, as for the JSON API.

The form is plain values that pulse/answer.html loops over, not a Django form: a widget object
and a template per radio button (about 40 on a pulse) made rendering the page the largest part
of a visit's server time. Names and element ids are the ones Django's widgets gave
(`item_<key>`, `id_item_<key>_<n>`), so the page and what it posts are unchanged. The values
are typed dicts rather than dataclasses because the template engine tries `value[name]` before
`value.name`: on an object, every one of the page's ~300 lookups raised and caught a TypeError.
"""

from typing import TypedDict

from django.http import QueryDict
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from pulse.storable_text import marked
from surveys.instrument import ENPS_VALUES, SCALE_LABELS
from surveys.redemption import Question

ENPS_FIELD = "enps"
COMMENT_FIELD = "comment"
ITEM_PREFIX = "item_"


class Choice(TypedDict):
    """One radio button: the value it sends, the words beside it, whether it is chosen."""

    id: str
    value: str
    label: str
    checked: bool


class Scale(TypedDict):
    """The radio buttons of one question, sent under one name."""

    name: str
    choices: list[Choice]


class QuestionRow(TypedDict):
    number: str
    text: str
    scale: Scale


class AnswerForm(TypedDict):
    """Every question may be skipped: a skipped item simply counts for nobody."""

    questions: list[QuestionRow]
    enps: Scale
    comment_name: str
    comment_id: str
    comment: str


def item_field_name(item: Question) -> str:
    return f"{ITEM_PREFIX}{item.key}"


def answer_form(
    questions: tuple[Question, ...], sent: dict[str, object] | None = None
) -> AnswerForm:
    """The form for `questions`, blank, or showing again what `sent_answers` read."""
    sent = sent or {}
    answers = sent.get("answers")
    chosen = answers if isinstance(answers, dict) else {}
    scale_labels = [(escape(value), escape(label)) for value, label in SCALE_LABELS.items()]
    rows = [
        QuestionRow(
            number=str(number),
            text=question.text,
            scale=scale(item_field_name(question), scale_labels, chosen.get(question.key)),
        )
        for number, question in enumerate(questions, start=1)
    ]
    enps_values = [(escape(value), escape(value)) for value in ENPS_VALUES]
    comment = sent.get(COMMENT_FIELD)
    return AnswerForm(
        questions=rows,
        enps=scale(ENPS_FIELD, enps_values, sent.get(ENPS_FIELD)),
        comment_name=COMMENT_FIELD,
        comment_id=f"id_{COMMENT_FIELD}",
        # Shown again with any character it could not keep marked, for the person to find.
        comment=marked(comment) if isinstance(comment, str) else "",
    )


def scale(name: str, values: list[tuple[SafeString, SafeString]], sent: object) -> Scale:
    """Radio buttons for escaped (value, label) pairs; the one whose value was sent is checked.

    Escaped once in Python rather than by the template at each use: the page prints about 200
    of these, and Django's escaping of each was a fifth of the page's cost."""
    safe_name = escape(name)
    return Scale(
        name=safe_name,
        choices=[
            Choice(
                # Both parts are escaped already: an escaped name and a number.
                id=mark_safe(f"id_{safe_name}_{index}"),  # noqa: S308
                value=value,
                label=label,
                checked=value == sent,
            )
            for index, (value, label) in enumerate(values)
        ],
    )


def sent_answers(posted: QueryDict) -> dict[str, object]:
    """The posted form in the shape pulse.answer_sheet checks, values as sent."""
    return {
        "answers": {
            name.removeprefix(ITEM_PREFIX): value
            for name, value in posted.items()
            if name.startswith(ITEM_PREFIX)
        },
        "enps": posted.get(ENPS_FIELD, ""),
        "comment": posted.get(COMMENT_FIELD, ""),
    }
