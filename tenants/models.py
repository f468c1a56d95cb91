"""The tenant model (one collectivité, one schema), its domains, and the official directory."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin
from django_tenants.postgresql_backend.base import is_valid_schema_name
from django_tenants.utils import schema_exists

from tenants.text_search import FoldAccents

# What a name's search reads (an expression index, not a stored column: a shared model's
# generated column would make `manage.py check` ask the database which PostgreSQL it runs).
NAME_WORDS = SearchVector(FoldAccents("name"), config="simple")


class Collectivite(TenantMixin):
    class Kind(models.TextChoices):
        COMMUNE = "commune", _("Commune")
        INTERCOMMUNALITE = "epci", _("Intercommunalité")

    class Access(models.TextChoices):
        FULL = "full", _("Full access")
        READ_ONLY = "read_only", _("Read only")
        ADMINS_ONLY = "admins_only", _("Admins only")

    class Verification(models.TextChoices):
        # How we know the site is run by the collectivité itself (blank: not known yet).
        OFFICIAL_EMAIL = "official_email", _("Signer's email on the official domain")
        STAFF = "staff", _("Checked by Placette staff")

    class Status(models.TextChoices):
        PROVISIONING = "provisioning", _("Being prepared")
        READY = "ready", _("Ready")
        SUSPENDED = "suspended", _("Suspended")
        DEACTIVATED = "deactivated", _("Deactivated")

    name = models.CharField(_("official name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # INSEE code for a commune, EPCI SIREN for an intercommunalité.
    official_code = models.CharField(_("INSEE code or EPCI SIREN"), max_length=9)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True)
    population = models.PositiveIntegerField(_("population"), default=0)
    slug = models.SlugField(_("subdomain"), max_length=63, unique=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PROVISIONING
    )
    # What the town's subscription allows, decided by billing (billing.access) and copied here
    # so that every request reads it from the cached tenant, without a query.
    site_access = models.CharField(
        _("site access"), max_length=12, choices=Access.choices, default=Access.FULL
    )
    # A new site opens at once, unverified: anyone may claim any commune, so until the signer's
    # email is on the collectivité's official domain or our staff checked, it says so.
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verified_via = models.CharField(
        _("verified by"), max_length=16, choices=Verification.choices, blank=True, default=""
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Deactivation (tenants.lifecycle): the site shows the 410 page; the data is wiped only by a
    # second, explicit action of another staff member on or after this date.
    deletion_scheduled_for = models.DateField(_("deletion scheduled for"), null=True, blank=True)
    # The public-schema staff account that deactivated it: the wipe must be someone else's.
    deactivated_by_id = models.BigIntegerField(null=True, blank=True, editable=False)
    wiped_at = models.DateTimeField(_("data wiped"), null=True, blank=True)

    auto_create_schema = True
    auto_drop_schema = False  # never lose a town's data by deleting a row
    # Set by the host map (tenants.directory) on the tenant it resolves for a host that is to
    # redirect to the town's primary domain (tenants.middleware): that primary's host.
    redirect_host: str = ""

    class Meta:
        verbose_name = _("collectivité")
        verbose_name_plural = _("collectivités")
        constraints = [
            models.UniqueConstraint(fields=["kind", "official_code"], name="unique_official_code"),
        ]
        # The ops console's list of 36,000 filters by status (a few hundred suspended, being
        # prepared...) and sorts by creation: one index serves the filter, its count and its order.
        indexes = [
            models.Index(fields=["status", "-created_at"], name="collectivite_status_created"),
            # The name's words, accents folded, for the ops console's search ("evry" finds
            # "Évry-Courcouronnes"): an index on the expression that NAME_WORDS spells out.
            GinIndex(NAME_WORDS, name="collectivite_name_search"),
            # Its search by INSEE code or SIREN.
            models.Index(fields=["official_code"], name="collectivite_official_code"),
            models.Index(fields=["siren"], name="collectivite_siren"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_intercommunalite(self) -> bool:
        return self.kind == self.Kind.INTERCOMMUNALITE

    def create_schema(
        self, check_if_exists: bool = False, sync_schema: bool = True, verbosity: int = 1
    ) -> None:
        """Copy the template schema (tenants.cloning: its DDL in one round trip). Where the
        template holds what that cannot copy, django-tenants' clone, then the template's
        constraint names."""
        from tenants import cloning
        from tenants.template_schema import align_constraint_names, template_schema_name

        template = template_schema_name()
        cloned = sync_schema and schema_exists(template)
        if cloned and not (check_if_exists and schema_exists(self.schema_name)):
            if not is_valid_schema_name(self.schema_name):
                raise ValidationError("Invalid string used for the schema name.")
            if cloning.clone_schema(template, self.schema_name):
                return
        super().create_schema(check_if_exists, sync_schema, verbosity)
        if cloned:
            align_constraint_names(self.schema_name)

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def is_serving(self) -> bool:
        return self.status == self.Status.READY

    @property
    def primary_host(self) -> str:
        return f"{self.slug}.{settings.ROOT_DOMAIN}"


class Domain(DomainMixin):
    # While not primary, does this host redirect to the primary one? Yes for the town's
    # subdomain and a former primary (their links keep working); no for a custom domain just
    # added, which is served as is so that it can be checked before it becomes the address.
    redirects_when_secondary = models.BooleanField(_("redirects when not primary"), default=True)
    # Unknown (null) for the domains that existed before it was kept.
    added_at = models.DateTimeField(_("added"), null=True, blank=True, default=timezone.now)

    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")

    def __str__(self) -> str:
        return self.domain


class Departement(models.Model):
    """A département (or collectivité d'outre-mer), from the official directory."""

    code = models.CharField(max_length=3, primary_key=True)  # 01, 2A, 974, 987...
    name = models.CharField(max_length=100)
    search_name = models.CharField(max_length=100)

    class Meta:
        verbose_name = _("département")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Epci(models.Model):
    """An établissement public de coopération intercommunale, from the official directory."""

    siren = models.CharField(max_length=9, primary_key=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10)  # CC, CA, CU, METRO, MET69
    population = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("EPCI")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Commune(models.Model):
    """A commune from the official directory (Etalab's découpage administratif)."""

    insee_code = models.CharField(max_length=5, primary_key=True)
    name = models.CharField(max_length=200)
    # Lowercase, accents removed: search by name without caring for case or accents.
    search_name = models.CharField(max_length=200, db_index=True)
    siren = models.CharField(max_length=9, blank=True)
    postcodes = ArrayField(models.CharField(max_length=5), default=list)
    departement = models.CharField(max_length=3)
    region = models.CharField(max_length=3)  # 3 characters overseas (975 to 989)
    population = models.PositiveIntegerField(default=0)
    epci = models.ForeignKey(
        Epci, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )

    class Meta:
        verbose_name = _("commune")
        ordering = ["name"]
        indexes = [GinIndex(fields=["postcodes"], name="commune_postcodes_gin")]

    def __str__(self) -> str:
        return f"{self.name} ({self.departement})"


class ReferenceDataVersion(models.Model):
    """Which extract of the directory is loaded: its source package and version."""

    source = models.CharField(max_length=100)
    version = models.CharField(max_length=20)
    loaded_at = models.DateTimeField(auto_now=True)
    communes = models.PositiveIntegerField()
    epcis = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.source}@{self.version}"


class AuditEntry(models.Model):
    """One privileged action: who did what to what, when, the values before and after, and why.

    Public schema, so the ops console can read every town's; a town's admins read their own.
    The actor is kept as text (schema, id, name): people live in many schemas and an entry must
    outlive the account that wrote it.
    """

    # None: an action on the platform itself, outside any collectivité.
    collectivite = models.ForeignKey(
        Collectivite,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_entries",
    )
    # Where the actor's account lives ("public" for our staff); empty for the system itself.
    actor_schema = models.CharField(max_length=63, blank=True)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=100, db_index=True)  # e.g. "member.role_change"
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=200, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["collectivite", "-created_at"], name="audit_town_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}:{self.target_id}"


class DataExport(models.Model):
    """An archive of one town's data and media (tenants.exports), asked by our staff or by the
    town's own admins. The file lives outside the media folder, reached only by a signed link."""

    class State(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    class Via(models.TextChoices):
        OPS = "ops", _("Placette console")
        TOWN = "town", _("Town administration")

    collectivite = models.ForeignKey(
        Collectivite, on_delete=models.PROTECT, related_name="data_exports"
    )
    via = models.CharField(max_length=4, choices=Via.choices)
    # Who asked, as the audit log keeps it: people live in many schemas.
    requested_by_schema = models.CharField(max_length=63)
    requested_by_id = models.BigIntegerField(null=True)
    requested_by_label = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    file_name = models.CharField(max_length=200, blank=True)  # under DATA_EXPORTS_ROOT
    size = models.BigIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("data export")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["collectivite", "-created_at"], name="export_town_recent")]

    def __str__(self) -> str:
        return f"export {self.pk} of {self.collectivite_id}"

    def is_downloadable(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return (
            self.state == self.State.READY and self.expires_at is not None and self.expires_at > now
        )


class KeptTask(models.Model):
    """A task the broker refused while it was away (tenants.task_outbox): kept here, in the
    database the request was writing to anyway, and sent again once the broker is back."""

    name = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    options = models.JSONField(default=dict)  # queue, countdown, eta, expires, task_id...
    schema_name = models.CharField(max_length=63)  # where it was sent from: where it runs
    kept_at = models.DateTimeField(default=timezone.now)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("task kept while the broker was away")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.schema_name})"
