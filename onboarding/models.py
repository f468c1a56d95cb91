"""A collectivité's request for a free trial, kept until its email is confirmed (public schema)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.models import Collectivite


class SignupRequest(models.Model):
    class SignerRole(models.TextChoices):
        MAYOR = "maire", _("Mayor or president")
        ELECTED = "elu", _("Elected official")
        AGENT = "agent", _("Agent of the collectivité")
        OTHER = "autre", _("Other")

    kind = models.CharField(max_length=10, choices=Collectivite.Kind.choices)
    official_code = models.CharField(max_length=9)  # INSEE code, or EPCI SIREN
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=63)
    signer_name = models.CharField(_("your name"), max_length=120)
    signer_role = models.CharField(_("your role"), max_length=10, choices=SignerRole.choices)
    signer_role_other = models.CharField(_("which role"), max_length=120, blank=True)
    email = models.EmailField(_("work email"))
    phone = models.CharField(_("phone"), max_length=30)
    accepted_terms_at = models.DateTimeField()
    token_hash = models.CharField(max_length=128, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    collectivite = models.OneToOneField(
        Collectivite, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.email})"
