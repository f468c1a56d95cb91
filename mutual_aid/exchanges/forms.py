"""Forms of the exchanges: offering an object, a ride or a group purchase, and taking part."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from mutual_aid.exchanges.carpooling import MAX_SEATS, PLACE_MAX
from mutual_aid.exchanges.group_purchases import MAX_PRICE, MAX_QUANTITY, MAX_TARGET
from mutual_aid.exchanges.lending import MAX_DEPOSIT, MESSAGE_MAX
from mutual_aid.models import (
    TEXT_MAX,
    TITLE_MAX,
    CarpoolDetails,
    GroupPurchaseDetails,
    LoanDetails,
)
from mutual_aid.posting.forms import PHOTO_ACCEPT
from mutual_aid.posting.photos import DESCRIPTION_MAX, check_photo
from tenants import schema
from townsite.models import Neighbourhood


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def whole_number(*, label: Any, maximum: int, help_text: Any = "", **kwargs: Any) -> Any:
    """A count people type: a whole number from 1, refused in plain words otherwise."""
    refused = format_lazy(_("Please give a whole number between 1 and {max}."), max=maximum)
    return forms.IntegerField(
        label=label,
        min_value=1,
        max_value=maximum,
        help_text=help_text,
        error_messages={
            "required": _("Please give a number."),
            "invalid": refused,
            "min_value": refused,
            "max_value": refused,
        },
        widget=forms.NumberInput(attrs={"min": 1, "max": maximum, "inputmode": "numeric"}),
        **kwargs,
    )


def euros(*, label: Any, maximum: Decimal, required: bool = True) -> forms.DecimalField:
    refused = _("Please give an amount in euros, for example 12.50.")
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal("0.01"),
        max_value=maximum,
        max_digits=8,
        decimal_places=2,
        localize=True,
        error_messages={
            "required": _("Please give an amount in euros."),
            "invalid": refused,
            "min_value": _("Please give an amount above 0 €."),
            "max_value": refused,
            "max_digits": refused,
            "max_decimal_places": refused,
            "max_whole_digits": refused,
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )


def future_date(*, label: Any, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        help_text=help_text,
        widget=_date_input(),
        error_messages={
            "required": _("Please give a date."),
            "invalid": _("Please give a date, for example 24/12/2026."),
        },
    )


class ExchangeForm(forms.Form):
    """What every new exchange asks: where (optional) and a few words."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        neighbourhoods = Neighbourhood.objects.all()
        if neighbourhoods.exists():
            epci = schema.current_tenant().is_intercommunalite
            self.fields["neighbourhood"] = forms.ModelChoiceField(
                queryset=neighbourhoods,
                required=False,
                label=_("Commune") if epci else _("Neighbourhood"),
                empty_label=_("Not specified"),
                help_text=_("Where it is, to show it to the neighbours near you. Optional."),
                error_messages={"invalid_choice": _("Please choose from the list.")},
            )


class NewLoanForm(ExchangeForm):
    title = forms.CharField(
        label=_("Object"),
        max_length=TITLE_MAX,
        help_text=_("For example: an electric drill, a raclette machine."),
        error_messages={"required": _("Please name the object.")},
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What it is, what it is good for, how to use it."),
        error_messages={"required": _("Please write a few words of description.")},
    )
    condition = forms.ChoiceField(
        label=_("Condition"),
        choices=LoanDetails.Condition.choices,
        initial=LoanDetails.Condition.GOOD,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose the condition of the object.")},
    )
    deposit_required = forms.BooleanField(label=_("I ask for a deposit"), required=False)
    deposit_amount = euros(label=_("Deposit (€)"), maximum=MAX_DEPOSIT, required=False)
    # One photo of the object, checked like a post's (more can be added by editing the post).
    photo = forms.FileField(
        label=_("Photo of the object (optional)"),
        required=False,
        help_text=_("JPEG, PNG or WebP, 10 MB at most."),
        widget=forms.FileInput(attrs={"accept": PHOTO_ACCEPT}),
    )
    photo_description = forms.CharField(
        label=_("What the photo shows"),
        max_length=DESCRIPTION_MAX,
        required=False,
        help_text=_("A few words for people who cannot see it."),
    )

    field_order = [
        "title",
        "description",
        "condition",
        "deposit_required",
        "deposit_amount",
        "photo",
        "photo_description",
    ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("photo")
        if upload:
            try:
                data["photo"] = check_photo(upload, data.get("photo_description") or "")
            except ValidationError as error:
                self.add_error("photo", error)
        missing = data.get("deposit_required") and data.get("deposit_amount") is None
        if missing and "deposit_amount" not in self.errors:
            self.add_error("deposit_amount", _("Please give the amount of the deposit."))
        return data


class NewCarpoolForm(ExchangeForm):
    departure = forms.CharField(
        label=_("Leaving from"),
        max_length=PLACE_MAX,
        help_text=_("A meeting place everyone knows, for example: the town hall square."),
        error_messages={"required": _("Please say where you leave from.")},
    )
    destination = forms.CharField(
        label=_("Going to"),
        max_length=PLACE_MAX,
        error_messages={"required": _("Please say where you are going.")},
    )
    date = future_date(label=_("Date of departure"))
    time = forms.TimeField(
        label=_("Time of departure"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": _("Please give the time of departure."),
            "invalid": _("Please give a time, for example 08:30."),
        },
    )
    seats = whole_number(label=_("Seats offered"), maximum=MAX_SEATS, initial=3)
    recurrence = forms.ChoiceField(
        label=_("How often"),
        choices=CarpoolDetails.Recurrence.choices,
        initial=CarpoolDetails.Recurrence.ONCE,
        widget=forms.RadioSelect,
    )
    description = forms.CharField(
        label=_("Details (optional)"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: room for a bag, I come back at 6 pm."),
    )

    field_order = ["departure", "destination", "date", "time", "seats", "recurrence"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, hour = data.get("date"), data.get("time")
        if isinstance(day, datetime.date) and isinstance(hour, datetime.time):
            moment = timezone.make_aware(datetime.datetime.combine(day, hour))
            if moment <= timezone.now():
                self.add_error("date", _("The departure cannot be in the past."))
            else:
                data["departs_at"] = moment
        return data


class NewGroupPurchaseForm(ExchangeForm):
    product = forms.CharField(
        label=_("Product"),
        max_length=GroupPurchaseDetails._meta.get_field("product").max_length,
        help_text=_("For example: apples from the orchard, a 5 kg crate."),
        error_messages={"required": _("Please name the product.")},
    )
    supplier = forms.CharField(
        label=_("Local shop or producer (optional)"),
        max_length=GroupPurchaseDetails._meta.get_field("supplier").max_length,
        required=False,
    )
    unit = forms.CharField(
        label=_("Unit (optional)"),
        max_length=GroupPurchaseDetails._meta.get_field("unit").max_length,
        required=False,
        help_text=_("What one is: a crate, a kilo, a bag."),
    )
    unit_price = euros(label=_("Price of one unit (€)"), maximum=MAX_PRICE)
    target_quantity = whole_number(
        label=_("Target quantity"),
        maximum=MAX_TARGET,
        help_text=_("How many units must be ordered for the purchase to go ahead."),
    )
    deadline = future_date(label=_("Deadline"), help_text=_("The last day to take part."))
    description = forms.CharField(
        label=_("Details (optional)"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: how to pay, where to collect the goods."),
    )

    field_order = ["product", "supplier", "unit", "unit_price", "target_quantity", "deadline"]

    def clean_deadline(self) -> datetime.date:
        deadline: datetime.date = self.cleaned_data["deadline"]
        if deadline < timezone.localdate():
            raise forms.ValidationError(_("The deadline cannot be in the past."))
        return deadline


class BorrowForm(forms.Form):
    prefix = "loan"  # the post page has other forms: their fields' ids stay apart
    start_date = future_date(label=_("From"))
    end_date = future_date(label=_("Until"), help_text=_("The day you give it back."))
    message = forms.CharField(
        label=_("Message to the owner (optional)"),
        max_length=MESSAGE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_start_date(self) -> datetime.date:
        start: datetime.date = self.cleaned_data["start_date"]
        if start < timezone.localdate():
            raise forms.ValidationError(_("The first day cannot be in the past."))
        return start

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The last day must be on or after the first day."))
        return data


class BookSeatsForm(forms.Form):
    prefix = "ride"
    seats = whole_number(label=_("Seats to book"), maximum=MAX_SEATS, initial=1)


class CommitForm(forms.Form):
    prefix = "purchase"
    quantity = whole_number(label=_("Quantity"), maximum=MAX_QUANTITY)
