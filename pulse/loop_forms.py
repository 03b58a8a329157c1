"""The focus page's forms: a domain, one to three commitments, a note; a commitment's status."""

from django import forms

from surveys.focus import NOTE_MAX, CommitmentInput, FocusProblem
from surveys.focus_selectors import FocusView
from surveys.instrument import Domain
from surveys.models import MAX_COMMITMENTS, CommitmentStatus

POSITIONS = range(1, MAX_COMMITMENTS + 1)


class FocusForm(forms.Form):
    domain = forms.ChoiceField(
        choices=Domain.choices, widget=forms.RadioSelect, label="What will the team work on?"
    )
    note = forms.CharField(
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        label='"You said, we did" (optional, shown to the team)',
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for position in POSITIONS:
            self.fields[f"text_{position}"] = forms.CharField(
                required=False, max_length=300, label=f"Commitment {position}"
            )
            self.fields[f"due_{position}"] = forms.DateField(
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
                label="Due (optional)",
            )

    @classmethod
    def initial_for(cls, focus: FocusView | None, proposed: str | None) -> dict[str, object]:
        if focus is None:
            return {"domain": proposed}
        initial: dict[str, object] = {"domain": focus.domain, "note": focus.note}
        for commitment in focus.commitments:
            initial[f"text_{commitment.position}"] = commitment.text
            initial[f"due_{commitment.position}"] = commitment.due_on
        return initial

    def rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"text_{p}"], self[f"due_{p}"]) for p in POSITIONS]

    def commitments(self) -> list[CommitmentInput]:
        """The filled rows, in order; a due date without words is refused, not dropped."""
        found = []
        for position in POSITIONS:
            text = self.cleaned_data.get(f"text_{position}", "").strip()
            due = self.cleaned_data.get(f"due_{position}")
            if text or due:
                found.append(CommitmentInput(text=text, due_on=due))
        return found

    def show_problem(self, problem: FocusProblem, inputs: list[CommitmentInput]) -> None:
        """Put the service's field-by-field problems next to the fields they are about."""
        filled = [
            p
            for p in POSITIONS
            if self.cleaned_data.get(f"text_{p}") or self.cleaned_data.get(f"due_{p}")
        ]
        for key, messages in problem.errors.items():
            parts = key.split(".")
            if len(parts) == 3 and parts[0] == "commitments":
                index = int(parts[1]) - 1
                position = filled[index] if index < len(filled) else int(parts[1])
                field = f"text_{position}" if parts[2] == "text" else f"due_{position}"
                self.add_error(field, messages)
            elif key in self.fields:
                self.add_error(key, messages)
            else:
                self.add_error(None, messages)


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=CommitmentStatus.choices)
