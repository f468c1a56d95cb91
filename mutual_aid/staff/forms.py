"""The forms of the town's mutual aid pages (they parse; the rules are the services')."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from mutual_aid.staff.services import ICONS


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    icon = forms.ChoiceField(label=_("Icon"), choices=list(ICONS.items()))
    position = forms.IntegerField(
        label=_("Order"),
        min_value=0,
        max_value=10_000,
        help_text=_("Categories are listed from the smallest number to the largest."),
    )
    enabled = forms.BooleanField(
        label=_("Shown to residents"),
        required=False,
        help_text=_("A hidden category takes no new post; its posts stay."),
    )
    sensitive = forms.BooleanField(
        label=_("Sensitive"),
        required=False,
        help_text=_("Its posts show a safety notice and the help lines."),
    )


class NewCategoryForm(CategoryForm):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        del self.fields["position"]
        del self.fields["enabled"]


class HelpLineForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    number = forms.CharField(label=_("Number"), max_length=30)
    description = forms.CharField(label=_("What it is for"), max_length=200, required=False)
    position = forms.IntegerField(
        label=_("Order"),
        min_value=0,
        max_value=10_000,
        help_text=_("Help lines are listed from the smallest number to the largest."),
    )
    enabled = forms.BooleanField(label=_("Shown to residents"), required=False)


class NewHelpLineForm(HelpLineForm):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        del self.fields["position"]
        del self.fields["enabled"]


class SettingsForm(forms.Form):
    sensitive_verified_only = forms.BooleanField(
        label=_("Only verified residents may answer posts in sensitive categories"),
        required=False,
        help_text=_(
            "Verified residents are those the town hall has met. Others can still read the posts."
        ),
    )
