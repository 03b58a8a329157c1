"""The answer form: one optional 7-point question per item, eNPS, and a comment.

It only renders; what is accepted is checked by pulse.answer_sheet, as for the JSON API."""

from django import forms
from django.http import QueryDict

from pulse.answer_sheet import COMMENT_MAX_LENGTH
from pulse.storable_text import marked
from surveys.instrument import ENPS_VALUES, SCALE_LABELS
from surveys.redemption import Question

ENPS_FIELD = "enps"
COMMENT_FIELD = "comment"


ITEM_PREFIX = "item_"


def item_field_name(item: Question) -> str:
    return f"{ITEM_PREFIX}{item.key}"


class AnswerForm(forms.Form):
    """Renders the questions and collects the radio buttons. Every question may be skipped: a
    skipped item simply counts for nobody. What is accepted is checked once, by
    pulse.answer_sheet, for this form and the JSON API alike."""

    def __init__(
        self, *, items: tuple[Question, ...], initial: dict[str, object] | None = None
    ) -> None:
        # Never bound: what was sent is shown again as initial values.
        super().__init__(initial=initial)
        self.items = items
        for item in items:
            self.fields[item_field_name(item)] = forms.TypedChoiceField(
                label=item.text,
                choices=list(SCALE_LABELS.items()),
                coerce=int,
                required=False,
                empty_value=None,
                widget=forms.RadioSelect,
            )
        self.fields[ENPS_FIELD] = forms.TypedChoiceField(
            choices=[(value, str(value)) for value in ENPS_VALUES],
            coerce=int,
            required=False,
            empty_value=None,
            widget=forms.RadioSelect,
        )
        self.fields[COMMENT_FIELD] = forms.CharField(
            required=False,
            max_length=COMMENT_MAX_LENGTH,
            widget=forms.Textarea(attrs={"rows": 4}),
        )

    def item_rows(self) -> list[tuple[Question, forms.BoundField]]:
        return [(item, self[item_field_name(item)]) for item in self.items]


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


def initial_values(sent: dict[str, object]) -> dict[str, object]:
    """What `sent_answers` read, as the form's initial values, to show it again."""
    answers = sent["answers"]
    initial = {
        f"{item_field_name(Question(key='', text=''))}{key}": value
        for key, value in (answers.items() if isinstance(answers, dict) else [])
    }
    comment = sent["comment"]
    return {
        **initial,
        ENPS_FIELD: sent["enps"],
        # Shown again with any character it could not keep marked, for the person to find.
        COMMENT_FIELD: marked(comment) if isinstance(comment, str) else comment,
    }
