"""What a resident follows: categories, and optionally places (neighbourhoods or communes)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Subscription(models.Model):
    """A resident's choice of new posts to hear of. No category: they follow nothing. No
    place: the whole town. A post with no place concerns the whole town, so every place."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mutual_aid_subscription"
    )
    categories = models.ManyToManyField(
        "mutual_aid.Category", blank=True, related_name="+", verbose_name=_("categories")
    )
    neighbourhoods = models.ManyToManyField(
        "townsite.Neighbourhood", blank=True, related_name="+", verbose_name=_("places")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "mutual_aid"

    def __str__(self) -> str:
        return f"Subscription of {self.user_id}"
