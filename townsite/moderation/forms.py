"""The forms of moderation: a resident's report, a moderator's decision."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from townsite.moderation.models import Reason
from townsite.moderation.reporting import DETAILS_MAX_LENGTH
from townsite.moderation.services import REASON_MAX_LENGTH


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong?"),
        choices=Reason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a reason from the list."),
            "invalid_choice": _("Choose a reason from the list."),
        },
    )
    details = forms.CharField(
        label=_("Details (optional, needed for “Another reason”)"),
        required=False,
        max_length=DETAILS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only the moderators read it."),
        error_messages={
            "max_length": _("Please keep it under %(limit_value)s characters."),
        },
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reason") == Reason.OTHER and not data.get("details", "").strip():
            self.add_error("details", _("Say in a few words what is wrong."))
        return data


class Decision:
    HIDE = "hide"
    RESTORE = "restore"
    DISMISS = "dismiss"
    WARN = "warn"
    SUSPEND = "suspend"


DECISION_LABELS = {
    Decision.HIDE: _("Hide the content"),
    Decision.RESTORE: _("Show the content again"),
    Decision.DISMISS: _("Dismiss the reports: nothing against the charter"),
    Decision.WARN: _("Send a warning to the person"),
    Decision.SUSPEND: _("Suspend the person"),
}


class DecisionForm(forms.Form):
    """One decision on a target, with its reason (kept in the log; sent with a warning)."""

    decision = forms.ChoiceField(
        label=_("Your decision"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what to do."),
            "invalid_choice": _("Choose what to do."),
        },
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Kept in the moderation log. For a warning or a suspension, the person receives "
            "it: write it politely and clearly."
        ),
        error_messages={
            "max_length": _("Please keep it under %(limit_value)s characters."),
        },
    )

    def __init__(self, *args: Any, decisions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["decision"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(d, DECISION_LABELS[d]) for d in decisions]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        decision = data.get("decision")
        if decision and decision != Decision.DISMISS and not data.get("reason", "").strip():
            self.add_error(
                "reason", _("Please write the reason: it is kept in the moderation log.")
            )
        return data


class LiftForm(forms.Form):
    reason = forms.CharField(
        label=_("Why lift the suspension?"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the moderation log."),
        error_messages={
            "required": _("Please write the reason: it is kept in the moderation log."),
            "max_length": _("Please keep it under %(limit_value)s characters."),
        },
    )
