"""The idea box's forms: they parse what was typed; the rules are the services'."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from participation.ideas.images import CheckedIdeaImage, check_idea_image
from participation.ideas.models import (
    ANSWER_MAX,
    COMMENT_MAX,
    TEXT_MAX,
    TITLE_MAX,
    Idea,
    IdeaCategory,
)
from townsite.models import Neighbourhood

IMAGE_ACCEPT = "image/jpeg,image/png,image/webp"
TOO_LONG = _("Please keep it under %(limit_value)s characters (it has %(show_value)s).")


def _text(label: Any, max_length: int, *, empty: Any, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        error_messages={"required": empty, "max_length": TOO_LONG},
        **kwargs,
    )


class IdeaForm(forms.Form):
    title = _text(
        _("Title"),
        TITLE_MAX,
        empty=_("Give your idea a title."),
        help_text=_("In a few words, for example “A bench near the school”."),
    )
    description = _text(
        _("Description"),
        TEXT_MAX,
        empty=_("Describe your idea in a few sentences."),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What, where, why. Do not write your address or phone number here."),
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=IdeaCategory.objects.none(),
        empty_label=_("Choose…"),
        error_messages={
            "required": _("Choose a category."),
            "invalid_choice": _("Choose a category from the list."),
        },
    )
    neighbourhood = forms.ModelChoiceField(
        label=_("Neighbourhood"),
        queryset=Neighbourhood.objects.all(),
        required=False,
        empty_label=_("The whole town"),
        error_messages={"invalid_choice": _("Choose a place from the list.")},
    )
    image = forms.FileField(
        label=_("Image (optional)"),
        required=False,
        help_text=_("JPEG, PNG or WebP, 10 MB at most."),
        widget=forms.FileInput(attrs={"accept": IMAGE_ACCEPT}),
    )
    image_description = forms.CharField(
        label=_("What the image shows"),
        max_length=200,
        required=False,
        help_text=_("A few words for people who cannot see it."),
        error_messages={"max_length": TOO_LONG},
    )

    def __init__(self, *args: Any, communes: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        categories = cast(forms.ModelChoiceField, self.fields["category"])
        categories.queryset = IdeaCategory.objects.filter(enabled=True)
        if communes:
            self.fields["neighbourhood"].label = _("Commune")
        if not Neighbourhood.objects.exists():
            del self.fields["neighbourhood"]
        self.checked_image: CheckedIdeaImage | None = None

    def clean_title(self) -> str:
        return " ".join(str(self.cleaned_data["title"]).split())

    def clean_image(self) -> UploadedFile | None:
        upload = self.cleaned_data.get("image")
        if upload:
            self.checked_image = check_idea_image(upload)
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors.get("image") is None and self.errors and self.files.get("image"):
            # A file cannot be kept across a page reload: say so, the text stays.
            self.add_error(
                "image", _("Your image was checked; choose it again before you send the idea.")
            )
        return data


class CommentForm(forms.Form):
    body = _text(
        _("Your comment"),
        COMMENT_MAX,
        empty=_("Write your comment before you send it."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class AnswerForm(forms.Form):
    status = forms.ChoiceField(
        label=_("New status"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the idea's new status."),
            "invalid_choice": _("Choose the idea's new status from the list."),
        },
    )
    text = forms.CharField(
        label=_("Official answer (public)"),
        max_length=ANSWER_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Shown at the top of the idea and sent to its author and followers. "
            "Required when the idea is not retained: say why."
        ),
        error_messages={"max_length": TOO_LONG},
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["status"]).choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not str(data.get("text", "")).strip():
            if data.get("status") == Idea.Status.NOT_RETAINED:
                self.add_error(
                    "text",
                    _("Say publicly why the idea is not retained: residents read this answer."),
                )
            elif data.get("status"):
                self.add_error("text", _("Write the official answer residents will read."))
        return data


class MergeForm(forms.Form):
    into = forms.IntegerField(
        label=_("Number of the idea to keep"),
        min_value=1,
        help_text=_("The number is in the idea's address, for example 12 in /idees/12/."),
        error_messages={
            "required": _("Give the number of the idea to keep."),
            "invalid": _("Give the number of the idea to keep."),
            "min_value": _("Give the number of the idea to keep."),
        },
    )
    text = forms.CharField(
        label=_("Message to residents (optional)"),
        max_length=ANSWER_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": TOO_LONG},
    )


class CategoryForm(forms.Form):
    name = _text(_("Name"), 60, empty=_("Give the category a name."))
    position = forms.IntegerField(label=_("Order"), min_value=0, max_value=1000, initial=0)
    enabled = forms.BooleanField(label=_("Shown to residents"), required=False, initial=True)

    def __init__(self, *args: Any, category: IdeaCategory | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.category = category

    def clean_name(self) -> str:
        name = " ".join(str(self.cleaned_data["name"]).split())
        taken = IdeaCategory.objects.filter(name__iexact=name)
        if self.category is not None:
            taken = taken.exclude(pk=self.category.pk)
        if taken.exists():
            raise forms.ValidationError(_("A category already has this name."))
        return name


class ThresholdForm(forms.Form):
    support_threshold = forms.IntegerField(
        label=_("Supports after which the town promises to study an idea"),
        min_value=1,
        max_value=100_000,
        error_messages={
            "required": _("Give a number of supports."),
            "invalid": _("Give a whole number."),
            "min_value": _("Give a number of at least 1."),
            "max_value": _("Give a number of at most 100,000."),
        },
    )
