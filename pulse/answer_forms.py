"""The answer form: one optional 7-point question per item, eNPS, and a comment."""

from django import forms
from django.http import QueryDict

from pulse.answer_sheet import COMMENT_MAX_LENGTH
from surveys.instrument import ENPS_VALUES, SCALE_LABELS
from surveys.redemption import Question

ENPS_FIELD = "enps"
COMMENT_FIELD = "comment"


def item_field_name(item: Question) -> str:
    return f"item_{item.key}"


class AnswerForm(forms.Form):
    """Renders the questions and collects the radio buttons. Every question may be skipped: a
    skipped item simply counts for nobody. What is accepted is checked once, by
    pulse.answer_sheet, for this form and the JSON API alike."""

    def __init__(self, data: QueryDict | None = None, *, items: tuple[Question, ...]) -> None:
        super().__init__(data)
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

    def answer_data(self) -> dict:
        """What was sent, in the shape pulse.answer_sheet checks."""
        return {
            "answers": {
                item.key: self.cleaned_data[item_field_name(item)]
                for item in self.items
                if self.cleaned_data.get(item_field_name(item)) is not None
            },
            "enps": self.cleaned_data[ENPS_FIELD],
            "comment": self.cleaned_data[COMMENT_FIELD],
        }
