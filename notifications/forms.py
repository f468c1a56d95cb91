"""The email preferences form: one choice per kind the person may choose for."""

from __future__ import annotations

from typing import Any

from django import forms

from notifications.kinds import Kind
from notifications.models import Preference

FIELD_PREFIX = "kind__"


class PreferencesForm(forms.Form):
    def __init__(
        self, kinds: list[Kind], current: dict[str, str], *args: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kinds = kinds
        for kind in kinds:
            self.fields[FIELD_PREFIX + kind.code] = forms.ChoiceField(
                label=str(kind.label),
                help_text=str(kind.description),
                choices=Preference.FREQUENCY_CHOICES,
                initial=current[kind.code],
                widget=forms.RadioSelect,
            )

    def wanted(self) -> dict[str, str]:
        return {kind.code: self.cleaned_data[FIELD_PREFIX + kind.code] for kind in self.kinds}
