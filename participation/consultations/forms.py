"""Staff's forms: the consultation, its files, its sections and questions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from participation.consultations.answer_form import option_values, shown_value
from participation.consultations.builder import CONDITION_KINDS, earlier_questions
from participation.consultations.models import (
    Consultation,
    ConsultationQuestion,
    ConsultationSection,
)
from townsite.models import Neighbourhood

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _datetime_field(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=[DATETIME_FORMAT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
        error_messages={"invalid": _("Give a date and a time, for example 15/03/2027 18:00.")},
    )


def member_communes() -> Any:
    """An intercommunalité's member communes (neighbourhoods with an INSEE code)."""
    return Neighbourhood.objects.exclude(commune_insee="").order_by("name")


class ConsultationForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    context_html = forms.CharField(
        label=_("Context"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Explain what is being decided and why. You may use these HTML tags: <p>, <br>, "
            "<strong>, <em>, <ul>, <ol>, <li>, <a href>, <h2>, <h3>; any other is removed."
        ),
    )
    opens_at = _datetime_field(_("Opens on"))
    closes_at = _datetime_field(_("Closes on"))
    audience = forms.ChoiceField(
        label=_("Who may answer"), choices=Consultation.Audience.choices, widget=forms.RadioSelect
    )
    communes = forms.ModelMultipleChoiceField(
        label=_("Member communes asked"),
        queryset=Neighbourhood.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick none to ask the whole territory."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        communes = member_communes()
        if communes.exists():
            self.fields["communes"].queryset = communes  # type: ignore[attr-defined]
        else:
            del self.fields["communes"]


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("PDF, JPEG, PNG or WebP, at most 10 MB."))
    name = forms.CharField(
        label=_("Name shown"),
        max_length=200,
        required=False,
        help_text=_("For example: “Plan of the square”. The file's name by default."),
    )


class SectionForm(forms.ModelForm):
    class Meta:
        model = ConsultationSection
        fields = ["title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type of question"), choices=ConsultationQuestion.Kind.choices)
    label = forms.CharField(label=_("Question"), max_length=300)
    help_text = forms.CharField(label=_("Help text"), max_length=500, required=False)
    required = forms.BooleanField(label=_("An answer is required"), required=False)
    choices = forms.CharField(
        label=_("Options, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For single choice, multiple choice and ranking."),
    )
    allow_other = forms.BooleanField(
        label=_("Offer “other, please specify” (single choice)"), required=False
    )
    min_choices = forms.IntegerField(
        label=_("Multiple choice: at least"), min_value=1, required=False
    )
    max_choices = forms.IntegerField(
        label=_("Multiple choice: at most"), min_value=1, required=False
    )
    scale_max = forms.TypedChoiceField(
        label=_("Scale"),
        choices=[(5, _("From 1 to 5")), (10, _("From 0 to 10"))],
        coerce=int,
        initial=5,
    )
    scale_min_label = forms.CharField(
        label=_("Scale: word for the lowest value"), max_length=60, required=False
    )
    scale_max_label = forms.CharField(
        label=_("Scale: word for the highest value"), max_length=60, required=False
    )
    number_min = forms.DecimalField(
        label=_("Number: lowest allowed"), max_digits=12, decimal_places=2, required=False
    )
    number_max = forms.DecimalField(
        label=_("Number: highest allowed"), max_digits=12, decimal_places=2, required=False
    )
    condition = forms.ChoiceField(
        label=_("Show this question only when"),
        required=False,
        help_text=_("Leave “always” to show it to everyone."),
    )

    def __init__(
        self,
        consultation: Consultation,
        question: ConsultationQuestion | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        if question is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_for(question)
        super().__init__(*args, **kwargs)
        self.earlier = {
            q.pk: q for q in earlier_questions(consultation, question) if q.kind in CONDITION_KINDS
        }
        options: list[tuple[str, str]] = [("", str(_("Always")))]
        for q in self.earlier.values():
            for value in option_values(q):
                options.append((f"{q.pk}|{value}", f"« {q.label} » : {shown_value(q, value)}"))
        self.fields["condition"].choices = options  # type: ignore[attr-defined]

    def values(self) -> dict[str, Any]:
        """The cleaned data, as the builder's services take it."""
        data = dict(self.cleaned_data)
        data["choices"] = [line for line in data.pop("choices", "").splitlines() if line.strip()]
        condition = data.pop("condition", "")
        data["show_if_question"], data["show_if_value"] = None, ""
        if condition:
            pk, value = condition.split("|", 1)
            data["show_if_question"] = self.earlier.get(int(pk))
            data["show_if_value"] = value
        return data


def initial_for(question: ConsultationQuestion) -> dict[str, Any]:
    initial = {
        name: getattr(question, name)
        for name in (
            "kind",
            "label",
            "help_text",
            "required",
            "allow_other",
            "min_choices",
            "max_choices",
            "scale_max",
            "scale_min_label",
            "scale_max_label",
            "number_min",
            "number_max",
        )
    }
    initial["choices"] = "\n".join(question.choices)
    if question.show_if_question_id:
        initial["condition"] = f"{question.show_if_question_id}|{question.show_if_value}"
    return initial
