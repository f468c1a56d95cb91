"""The form of what a resident follows."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mutual_aid.models import Category
from tenants import schema
from townsite.models import Neighbourhood


class FollowingForm(forms.Form):
    categories = forms.ModelMultipleChoiceField(
        queryset=Category.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("The categories I follow"),
        help_text=_("Tick none to stop hearing of new posts."),
    )
    neighbourhoods = forms.ModelMultipleChoiceField(
        queryset=Neighbourhood.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Only near me"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        categories = self.fields["categories"]
        places = self.fields["neighbourhoods"]
        assert isinstance(categories, forms.ModelMultipleChoiceField)
        assert isinstance(places, forms.ModelMultipleChoiceField)
        categories.queryset = Category.objects.filter(enabled=True)
        places.queryset = Neighbourhood.objects.all()
        epci = schema.current_tenant().is_intercommunalite
        places.help_text = (
            _("Tick none to follow the whole intercommunalité.")
            if epci
            else _("Tick none to follow the whole town.")
        )
        if not Neighbourhood.objects.exists():
            del self.fields["neighbourhoods"]
