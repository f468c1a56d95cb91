"""Sign-up and claims (public schema): trial requests, second claims, official email domains,
and the legal texts each collectivité accepted."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tenants.models import Collectivite


class SignerRole(models.TextChoices):
    MAYOR = "maire", _("Mayor or president")
    ELECTED = "elu", _("Elected official")
    AGENT = "agent", _("Agent of the collectivité")
    OTHER = "autre", _("Other")


class SignupRequest(models.Model):
    """A request for a free trial, kept until its email is confirmed, then as the record of who
    opened the site and which texts they accepted."""

    SignerRole = SignerRole

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Site created")
        EXPIRED = "expired", _("Expired")

    kind = models.CharField(max_length=10, choices=Collectivite.Kind.choices)
    official_code = models.CharField(max_length=9)  # INSEE code, or EPCI SIREN
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=63)
    signer_name = models.CharField(_("your name"), max_length=120)
    signer_role = models.CharField(_("your role"), max_length=10, choices=SignerRole.choices)
    signer_role_other = models.CharField(_("which role"), max_length=120, blank=True)
    email = models.EmailField(_("work email"))
    phone = models.CharField(_("phone"), max_length=30)
    # The versions of the terms and of the processing agreement the signer ticked, and when.
    terms_version = models.CharField(max_length=20)
    dpa_version = models.CharField(max_length=20)
    accepted_terms_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # The link's token is derived from this nonce with a keyed HMAC (so the same link can be
    # sent again without keeping it); only the token's own hash is looked up.
    nonce = models.CharField(max_length=64)
    token_hash = models.CharField(max_length=128, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    collectivite = models.OneToOneField(
        Collectivite, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # While a request waits, it holds its collectivité and its address: a second
            # submit finds it (and sends its link again) instead of making another.
            models.UniqueConstraint(
                fields=["kind", "official_code"],
                condition=Q(status="pending"),
                name="one_pending_request_per_collectivite",
            ),
            models.UniqueConstraint(
                fields=["slug"], condition=Q(status="pending"), name="one_pending_request_per_slug"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.email})"


class SiteClaim(models.Model):
    """Someone else says they represent a collectivité whose site exists and is not verified, or
    whose request waits: recorded and flagged to our staff, never refused. Staff may transfer
    the site to them."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for our staff")
        TRANSFERRED = "transferred", _("Site transferred to this person")
        DISMISSED = "dismissed", _("Dismissed")

    kind = models.CharField(max_length=10, choices=Collectivite.Kind.choices)
    official_code = models.CharField(max_length=9)
    name = models.CharField(max_length=200)
    # The site it competes with (set as soon as it exists), or the request still waiting.
    collectivite = models.ForeignKey(
        Collectivite, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    competes_with = models.ForeignKey(
        SignupRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    claimant_name = models.CharField(_("your name"), max_length=120)
    claimant_role = models.CharField(_("your role"), max_length=10, choices=SignerRole.choices)
    claimant_role_other = models.CharField(_("which role"), max_length=120, blank=True)
    email = models.EmailField(_("work email"))
    phone = models.CharField(_("phone"), max_length=30)
    message = models.TextField(_("message"), blank=True)
    on_official_domain = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.CharField(max_length=200, blank=True)
    resolution_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Claim #{self.pk} on {self.name} by {self.email}"


class OfficialEmailDomain(models.Model):
    """A domain only the collectivité's own people write from (its town hall's), set by our
    staff: a signer on it is the collectivité's, and its site is verified at once."""

    kind = models.CharField(max_length=10, choices=Collectivite.Kind.choices)
    official_code = models.CharField(max_length=9)
    domain = models.CharField(max_length=253)
    added_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "official_code", "domain"], name="unique_official_email_domain"
            )
        ]

    def __str__(self) -> str:
        return self.domain


class LegalAcceptance(models.Model):
    """One version of one legal text accepted by a collectivité: when, and by whom (proof)."""

    collectivite = models.ForeignKey(
        Collectivite, on_delete=models.PROTECT, related_name="legal_acceptances"
    )
    document = models.CharField(max_length=20)  # onboarding.legal Document.key
    version = models.CharField(max_length=20)
    accepted_at = models.DateTimeField()
    accepted_by_name = models.CharField(max_length=120)
    accepted_by_email = models.EmailField()
    signup_request = models.ForeignKey(
        SignupRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-accepted_at"]

    def __str__(self) -> str:
        return f"{self.collectivite} {self.document} v{self.version}"
