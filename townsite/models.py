"""The town's profile (one row), its neighbourhoods, residents' profiles and staff invitations."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_PRIMARY_COLOUR = "#1f4fa3"


class TownProfile(models.Model):
    """What the town sets up: look, welcome, modules, contact, charter. One row per schema."""

    welcome_text = models.TextField(_("welcome text"), blank=True)
    primary_colour = models.CharField(
        _("main colour"), max_length=7, default=DEFAULT_PRIMARY_COLOUR
    )
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    mutual_aid_enabled = models.BooleanField(_("mutual aid"), default=True)
    consultations_enabled = models.BooleanField(_("consultations"), default=True)
    ideas_enabled = models.BooleanField(_("idea box"), default=True)
    contact_address = models.TextField(_("postal address"), blank=True)
    contact_phone = models.CharField(_("phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("email"), blank=True)
    contact_website = models.URLField(_("website"), blank=True)
    opening_hours = models.TextField(_("opening hours"), blank=True)
    charter = models.TextField(_("moderation charter"))
    setup_completed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("town profile")

    def __str__(self) -> str:
        return "TownProfile"

    @classmethod
    def load(cls) -> TownProfile:
        """The profile of the current schema's town (made with defaults if missing)."""
        from townsite.defaults import DEFAULT_CHARTER

        profile, _created = cls.objects.get_or_create(pk=1, defaults={"charter": DEFAULT_CHARTER})
        return profile


class Neighbourhood(models.Model):
    """A quartier of a commune, or a member commune of an intercommunalité."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    # For an intercommunalité: the member commune this is (INSEE code), else blank.
    commune_insee = models.CharField(_("INSEE code"), max_length=5, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("neighbourhood")

    def __str__(self) -> str:
        return self.name


class ResidentProfile(models.Model):
    """What a person is in this town beyond their account (never their exact address)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="resident_profile"
    )
    neighbourhood = models.ForeignKey(
        Neighbourhood, null=True, blank=True, on_delete=models.SET_NULL, related_name="residents"
    )
    charter_accepted_at = models.DateTimeField(null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    # Assisted sign-up at the town hall desk: who created the account, when, and the one-time
    # code printed on the welcome sheet (stored hashed).
    assisted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assisted_signups",
    )
    assisted_at = models.DateTimeField(null=True, blank=True)
    login_code_hash = models.CharField(max_length=128, blank=True)
    login_code_expires_at = models.DateTimeField(null=True, blank=True)
    # Verified by the town's staff (met at the town hall, for instance): a badge by the name.
    verified_at = models.DateTimeField(_("verified on"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Suspended by a moderator: the person reads, exports and deletes, but no longer posts.
    suspended_at = models.DateTimeField(_("suspended on"), null=True, blank=True)
    suspended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    suspension_reason = models.TextField(_("why suspended"), blank=True)

    def __str__(self) -> str:
        return f"Profile of {self.user}"


class Invitation(models.Model):
    """A staff invitation (admin or moderator) sent by email, valid for a few days."""

    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=10)
    token_hash = models.CharField(max_length=128, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} ({self.role})"


# Moderation's models live with it; importing them here registers them with the app.
from townsite.moderation.models import (  # noqa: E402
    Block,
    Moderated,
    ModerationAction,
    ModeratorAlert,
    Report,
)

__all__ = [
    "Block",
    "Invitation",
    "ModerationAction",
    "Moderated",
    "ModeratorAlert",
    "Neighbourhood",
    "Report",
    "ResidentProfile",
    "TownProfile",
]
