"""The post form (new and edit): it parses what was typed; the rules are the service's."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mutual_aid.models import MAX_PHOTOS, TEXT_MAX, TITLE_MAX, Category, Photo, Post
from mutual_aid.posting.photos import DESCRIPTION_MAX, CheckedPhoto, check_photo
from townsite.models import Neighbourhood

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PHOTO_ACCEPT = "image/jpeg,image/png,image/webp"


class PostForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Offer or request"), choices=Post.Kind.choices, widget=forms.RadioSelect
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), empty_label=_("Choose…")
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX,
        help_text=_("In a few words, for example “Shopping on Saturday mornings”."),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What, where, for whom. Do not write your address or phone number here."),
    )
    neighbourhood = forms.ModelChoiceField(
        label=_("Neighbourhood"),
        queryset=Neighbourhood.objects.all(),
        required=False,
        empty_label=_("Anywhere in town"),
    )
    when = forms.ChoiceField(
        label=_("When"),
        choices=Post.When.choices,
        required=False,
        initial="",
        widget=forms.RadioSelect,
    )
    date_start = forms.DateField(
        label=_("Date, or first day"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("For “On a date” and “During a period”."),
    )
    date_end = forms.DateField(
        label=_("Last day"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("For “During a period”."),
    )
    rhythm = forms.CharField(
        label=_("How often"),
        max_length=120,
        required=False,
        help_text=_("For “Regularly”, for example “every Saturday morning”."),
    )

    def __init__(
        self,
        *args: Any,
        post: Post | None = None,
        with_kind: bool = False,
        communes: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.post = post
        shown = Q(enabled=True)
        if post is not None:
            shown |= Q(pk=post.category_id)  # switched off since: the post keeps it
        cast(forms.ModelChoiceField, self.fields["category"]).queryset = Category.objects.filter(
            shown
        )
        if not with_kind:
            del self.fields["kind"]
        if communes:
            self.fields["neighbourhood"].label = _("Commune")
            cast(forms.ModelChoiceField, self.fields["neighbourhood"]).empty_label = _("Anywhere")
        if not Neighbourhood.objects.exists():
            del self.fields["neighbourhood"]
        self.existing: list[Photo] = list(post.photos.all()) if post is not None else []
        for photo in self.existing:
            self.fields[f"remove_{photo.pk}"] = forms.BooleanField(
                label=_("Remove this photo"), required=False
            )
            self.fields[f"description_{photo.pk}"] = forms.CharField(
                label=_("Description of the photo"),
                max_length=DESCRIPTION_MAX,
                required=False,
                initial=photo.description,
            )
        self.slots = list(range(1, MAX_PHOTOS - len(self.existing) + 1))
        for slot in self.slots:
            self.fields[f"photo_{slot}"] = forms.FileField(
                label=_("Photo %(number)s") % {"number": slot},
                required=False,
                help_text=_("JPEG, PNG or WebP, 10 MB at most."),
                widget=forms.FileInput(attrs={"accept": PHOTO_ACCEPT}),
            )
            self.fields[f"photo_{slot}_description"] = forms.CharField(
                label=_("What the photo shows"),
                max_length=DESCRIPTION_MAX,
                required=False,
                help_text=_("A few words for people who cannot see it."),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for slot in self.slots:
            upload = data.get(f"photo_{slot}")
            if isinstance(upload, UploadedFile):
                try:
                    data[f"photo_{slot}"] = check_photo(
                        upload, data.get(f"photo_{slot}_description") or ""
                    )
                except ValidationError as error:
                    self.add_error(f"photo_{slot}", error)
        return data

    def post_values(self) -> dict[str, Any]:
        """The post's own fields, as the services take them."""
        data = self.cleaned_data
        fields = ["category", "title", "description", "when", "date_start", "date_end", "rhythm"]
        values = {field: data.get(field) for field in fields}
        values["neighbourhood"] = data.get("neighbourhood")
        if "kind" in self.fields:
            values["kind"] = data["kind"]
        return values

    def new_photos(self) -> list[CheckedPhoto]:
        found = (self.cleaned_data.get(f"photo_{slot}") for slot in self.slots)
        return [photo for photo in found if isinstance(photo, CheckedPhoto)]

    def photo_changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "photos_add": self.new_photos(),
            "photos_remove": [p.pk for p in self.existing if data.get(f"remove_{p.pk}")],
            "photo_descriptions": {
                p.pk: data.get(f"description_{p.pk}") or "" for p in self.existing
            },
        }

    def existing_rows(self) -> list[tuple[Photo, Any, Any]]:
        return [(p, self[f"description_{p.pk}"], self[f"remove_{p.pk}"]) for p in self.existing]

    def photo_rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"photo_{slot}"], self[f"photo_{slot}_description"]) for slot in self.slots]

    def add_service_errors(self, error: ValidationError) -> None:
        """The service's refusals, each next to its field (photos next to the first photo)."""
        for field, errors in error.message_dict.items():
            if field == "photos" and self.slots:
                target: str | None = f"photo_{self.slots[0]}"
            else:
                target = field if field in self.fields else None
            for message in errors:
                self.add_error(target, message)
