"""The console's actions on a town's addresses: add a custom domain, make one primary, remove
one, rename the subdomain; and sending the town's admin a new invitation. Each goes through
ops.actions.run (reason, confirmation, one audit entry written by the service)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onboarding.invitations import InvitationError, resend_admin_invitation
from ops.actions import ActionRefused, ReasonedAction, ReasonForm, Summary, run
from ops.site import ops_site
from tenants.domains import (
    DomainError,
    add_custom_domain,
    remove_custom_domain,
    set_primary_domain,
)
from tenants.models import Collectivite, Domain
from tenants.subdomains import rename_subdomain, subdomain_host


class AddDomainForm(ReasonForm):
    host = forms.CharField(
        label=gettext_lazy("Address"),
        max_length=253,
        help_text=gettext_lazy(
            "The address alone, for example entraide.ville.fr. The town points it to us first "
            "(DNS); it is served as is until you make it the primary address."
        ),
    )


class RenameSubdomainForm(ReasonForm):
    slug = forms.CharField(
        label=gettext_lazy("New subdomain"),
        max_length=63,
        help_text=gettext_lazy(
            "Lowercase letters without accents, digits and hyphens. The current address keeps "
            "redirecting to the new one."
        ),
    )


def _refused(error: DomainError | InvitationError) -> ActionRefused:
    return ActionRefused(str(error))


def add_domain(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(request: HttpRequest, tenant: Collectivite, cleaned: dict[str, Any]) -> str:
        try:
            domain = add_custom_domain(
                request.user, tenant, cleaned["host"], reason=cleaned["reason"]
            )
        except DomainError as error:
            raise _refused(error) from None
        return _("%(host)s now serves this site.") % {"host": domain.domain}

    def summarize(tenant: Collectivite, cleaned: dict[str, Any]) -> Summary:
        return [(_("Address added"), cleaned["host"].strip())]

    action = ReasonedAction(
        title=gettext_lazy("Add a custom domain"),
        form_class=AddDomainForm,
        perform=perform,
        summarize=summarize,
        button=gettext_lazy("Add this address"),
    )
    return run(request, pk, action)


def _domain_of(pk: int, domain_pk: int) -> Domain:
    # A domain of another town under this town's URL is as unknown as one that does not exist.
    return get_object_or_404(Domain, pk=domain_pk, tenant_id=pk)


def make_primary(request: HttpRequest, pk: int, domain_pk: int) -> HttpResponse:
    domain = _domain_of(pk, domain_pk)

    def perform(request: HttpRequest, tenant: Collectivite, cleaned: dict[str, Any]) -> str:
        try:
            set_primary_domain(request.user, tenant, domain, reason=cleaned["reason"])
        except DomainError as error:
            raise _refused(error) from None
        return _("%(host)s is now the site's primary address.") % {"host": domain.domain}

    def summarize(tenant: Collectivite, cleaned: dict[str, Any]) -> Summary:
        current = (
            Domain.objects.filter(tenant=tenant, is_primary=True)
            .values_list("domain", flat=True)
            .first()
        )
        return [
            (_("Primary address now"), current or "—"),
            (_("Primary address after"), domain.domain),
        ]

    action = ReasonedAction(
        title=gettext_lazy("Make an address primary"),
        form_class=ReasonForm,
        perform=perform,
        summarize=summarize,
        button=gettext_lazy("Make it primary"),
        warning=gettext_lazy(
            "Pages asked on the current primary address will redirect to the new one."
        ),
    )
    return run(request, pk, action)


def remove_domain(request: HttpRequest, pk: int, domain_pk: int) -> HttpResponse:
    domain = _domain_of(pk, domain_pk)

    def perform(request: HttpRequest, tenant: Collectivite, cleaned: dict[str, Any]) -> str:
        try:
            remove_custom_domain(request.user, tenant, domain, reason=cleaned["reason"])
        except DomainError as error:
            raise _refused(error) from None
        return _("%(host)s no longer serves this site.") % {"host": domain.domain}

    def summarize(tenant: Collectivite, cleaned: dict[str, Any]) -> Summary:
        return [(_("Address removed"), domain.domain)]

    action = ReasonedAction(
        title=gettext_lazy("Remove a custom domain"),
        form_class=ReasonForm,
        perform=perform,
        summarize=summarize,
        button=gettext_lazy("Remove this address"),
        warning=gettext_lazy("Links to this address will no longer reach the site."),
    )
    return run(request, pk, action)


def rename(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(request: HttpRequest, tenant: Collectivite, cleaned: dict[str, Any]) -> str:
        try:
            town = rename_subdomain(
                tenant, cleaned["slug"], actor=request.user, reason=cleaned["reason"]
            )
        except DomainError as error:
            raise _refused(error) from None
        return _("The site's subdomain is now %(host)s.") % {"host": town.primary_host}

    def summarize(tenant: Collectivite, cleaned: dict[str, Any]) -> Summary:
        return [
            (_("Subdomain now"), tenant.primary_host),
            (_("Subdomain after"), subdomain_host(cleaned["slug"].strip().lower())),
        ]

    action = ReasonedAction(
        title=gettext_lazy("Rename the subdomain"),
        form_class=RenameSubdomainForm,
        perform=perform,
        summarize=summarize,
        button=gettext_lazy("Rename"),
        warning=gettext_lazy(
            "Pages asked on the current subdomain will redirect to the new one; emails will "
            "carry the new address."
        ),
    )
    return run(request, pk, action)


def resend_invitation(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(request: HttpRequest, tenant: Collectivite, cleaned: dict[str, Any]) -> str:
        try:
            admin = resend_admin_invitation(tenant, actor=request.user, reason=cleaned["reason"])
        except InvitationError as error:
            raise _refused(error) from None
        return _("A new invitation was sent to %(email)s.") % {"email": admin.email}

    def summarize(tenant: Collectivite, cleaned: dict[str, Any]) -> Summary:
        return [(_("Sent to"), _("the site's first admin who has no password yet"))]

    action = ReasonedAction(
        title=gettext_lazy("Send the admin invitation again"),
        form_class=ReasonForm,
        perform=perform,
        summarize=summarize,
        button=gettext_lazy("Send the invitation"),
        warning=gettext_lazy(
            "The email holds a link that logs in as this admin, valid 48 hours, once."
        ),
    )
    return run(request, pk, action)


urlpatterns = [
    path(
        "collectivites/<int:pk>/domaines/ajouter/",
        ops_site.admin_view(add_domain),
        name="domain_add",
    ),
    path(
        "collectivites/<int:pk>/domaines/<int:domain_pk>/principal/",
        ops_site.admin_view(make_primary),
        name="domain_make_primary",
    ),
    path(
        "collectivites/<int:pk>/domaines/<int:domain_pk>/retirer/",
        ops_site.admin_view(remove_domain),
        name="domain_remove",
    ),
    path(
        "collectivites/<int:pk>/sous-domaine/",
        ops_site.admin_view(rename),
        name="subdomain_rename",
    ),
    path(
        "collectivites/<int:pk>/invitation-admin/",
        ops_site.admin_view(resend_invitation),
        name="admin_invitation_resend",
    ),
]
