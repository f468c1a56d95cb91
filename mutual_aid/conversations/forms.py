"""Forms of conversations: a message (first answer or reply), and help marked given."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from mutual_aid.conversations.services import THANKS_MAX, clean_body


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        # No maxlength in the page: a longer text pasted is kept and explained, not cut.
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        strip=False,
        help_text=_("Only the two of you can read this conversation."),
    )

    def clean_body(self) -> str:
        return clean_body(self.cleaned_data.get("body", ""))

    def __init__(self, *args: Any, label: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label is not None:
            self.fields["body"].label = label


def _display_name(person: User) -> str:
    return person.display_name


class HelpedForm(forms.Form):
    """Help given: with whom (one of the people who answered), and optional thanks."""

    helper = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label=_("Who helped?"),
        required=False,
        empty_label=_("Someone else, or I prefer not to say"),
    )
    thanks = forms.CharField(
        label=_("A word of thanks (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    thanks_public = forms.BooleanField(
        label=_("Show my thanks on the post, for everyone"), required=False
    )

    def __init__(self, *args: Any, people: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["helper"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.filter(pk__in=[person.pk for person in people])
        field.label_from_instance = _display_name  # type: ignore[method-assign,assignment]
        self.fields["thanks"].help_text = _("%(max)d characters at most.") % {"max": THANKS_MAX}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if len(data.get("thanks", "")) > THANKS_MAX:
            self.add_error("thanks", _("%(max)d characters at most.") % {"max": THANKS_MAX})
        if data.get("thanks") and not data.get("helper"):
            self.add_error("helper", ValidationError(_("Choose who helped you, to thank them.")))
        return data
