"""The forms of the billing page."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from billing.models import PaymentMethod, Period


class SubscribeForm(forms.Form):
    period = forms.ChoiceField(
        label=_("Payment"), choices=Period.choices, widget=forms.RadioSelect, initial="yearly"
    )
    method = forms.ChoiceField(
        label=_("Payment method"), choices=PaymentMethod.choices, widget=forms.RadioSelect
    )
    billing_email = forms.EmailField(
        label=_("Billing email"),
        required=False,
        help_text=_("Where invoices are sent, e.g. the finance department."),
    )
    siret = forms.CharField(
        label=_("SIRET"),
        required=False,
        max_length=17,
        help_text=_("14 digits. Required to pay by invoice."),
    )
    chorus_service_code = forms.CharField(
        label=_("Chorus Pro service code"), required=False, max_length=100
    )
    purchase_order_number = forms.CharField(
        label=_("Purchase order number"), required=False, max_length=100
    )
    token = forms.CharField(widget=forms.HiddenInput)  # one per displayed form: no double charge

    def clean_siret(self) -> str:
        siret = re.sub(r"\s", "", self.cleaned_data["siret"])
        if siret and not re.fullmatch(r"\d{14}", siret):
            raise forms.ValidationError(_("A SIRET has 14 digits."))
        return siret

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("method") == PaymentMethod.INVOICE:
            if not data.get("billing_email"):
                self.add_error("billing_email", _("Required to pay by invoice."))
            if not data.get("siret"):
                self.add_error("siret", _("Required to pay by invoice."))
        return data


class ConfirmSetupForm(forms.Form):
    setup_intent = forms.CharField(max_length=255)
    token = forms.CharField(max_length=64)


class TokenForm(forms.Form):
    token = forms.CharField(max_length=64)


class PeriodForm(TokenForm):
    """A period and the page's token: changing the period, or subscribing by invoice."""

    period = forms.ChoiceField(choices=Period.choices)
