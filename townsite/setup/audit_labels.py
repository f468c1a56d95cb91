"""What the audit log's codes mean in words: one label per action, field and kind of action.

Writers name their action with a short code ("member.role_change"); this is the one place that
turns codes, field names and values into French for people reading the log. A code missing
here still shows, as is: a new action is never hidden from the log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Q
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from accounts.models import User
from tenants.models import AuditEntry, Collectivite

ACTIONS: dict[str, Promise] = {
    # The team (townsite.setup.team)
    "invitation.sent": gettext_lazy("Invitation sent"),
    "invitation.revoked": gettext_lazy("Invitation cancelled"),
    "invitation.accepted": gettext_lazy("Invitation accepted"),
    "member.role_change": gettext_lazy("Role changed"),
    "member.team_rights_removed": gettext_lazy("Team rights taken away"),
    # Support access (ops.support_access)
    "support.grant": gettext_lazy("Support access granted to Placette"),
    "support.revoke": gettext_lazy("Support access ended early"),
    "support.use": gettext_lazy("Page seen by Placette support"),
    # Residents (townsite.residents.services)
    "resident.desk_registered": gettext_lazy("Resident registered at the desk"),
    "resident.new_login_code": gettext_lazy("New login code for a resident"),
    "account.deleted": gettext_lazy("Account deleted by its owner"),
    "account.email_preferences": gettext_lazy("Email choices changed by their owner"),
    "resident.verified": gettext_lazy("Resident marked as verified"),
    "resident.unverified": gettext_lazy("Resident no longer verified"),
    # Moderation (townsite.moderation.services)
    "moderator.hide": gettext_lazy("Content hidden by a moderator"),
    "moderator.restore": gettext_lazy("Content shown again by a moderator"),
    "moderator.dismiss": gettext_lazy("Reports dismissed"),
    "moderator.warn": gettext_lazy("Warning sent to a resident"),
    "moderator.suspend": gettext_lazy("Resident suspended"),
    "moderator.lift": gettext_lazy("Suspension lifted"),
    # API keys (accounts.api.tokens)
    "account.api_token_created": gettext_lazy("API key made"),
    "account.api_token_revoked": gettext_lazy("API key revoked"),
    # The site's settings (townsite.setup.services)
    "settings.look": gettext_lazy("Logo or colour changed"),
    "settings.welcome": gettext_lazy("Welcome text changed"),
    "settings.modules": gettext_lazy("Modules turned on or off"),
    "settings.contact": gettext_lazy("Contact details changed"),
    "settings.charter": gettext_lazy("Moderation charter changed"),
    "settings.setup_completed": gettext_lazy("Set-up finished"),
    "neighbourhood.added": gettext_lazy("Neighbourhood added"),
    "neighbourhood.renamed": gettext_lazy("Neighbourhood renamed"),
    "neighbourhood.removed": gettext_lazy("Neighbourhood removed"),
    "neighbourhood.communes_added": gettext_lazy("Member communes added"),
    # The site itself (onboarding)
    "collectivite.created": gettext_lazy("Site created for the free trial"),
    "collectivite.verify": gettext_lazy("Site verified"),
    "collectivite.official_domain_add": gettext_lazy("Official email domain added"),
    "collectivite.official_domain_remove": gettext_lazy("Official email domain removed"),
    # The site's addresses, changed by our staff (tenants.domains)
    "collectivite.custom_domain_add": gettext_lazy("Web address added to the site"),
    "collectivite.primary_domain_change": gettext_lazy("Main web address of the site changed"),
    "collectivite.custom_domain_remove": gettext_lazy("Web address removed from the site"),
    "collectivite.subdomain_rename": gettext_lazy("Site's Placette address renamed"),
    "collectivite.admin_invitation_resend": gettext_lazy(
        "Welcome link sent again to an administrator"
    ),
    # Claims on the site, settled by our staff (onboarding.staff)
    "site.transfer": gettext_lazy("Site handed over to its verified representative"),
    "claim.dismiss": gettext_lazy("Claim on the site dismissed"),
    "member.deactivate": gettext_lazy("Account closed by Placette"),
    # Subscription (billing)
    "billing.trial_started": gettext_lazy("Free trial started"),
    "billing.trial_extended": gettext_lazy("Free trial extended"),
    "billing.sponsor": gettext_lazy("Subscription offered by Placette"),
    "billing.suspend": gettext_lazy("Site suspended"),
    "billing.reinstate": gettext_lazy("Site reinstated"),
    "billing.customer_created": gettext_lazy("Billing account opened with the payment service"),
    "billing.payment_setup": gettext_lazy("Payment method being set up"),
    "billing.subscribe": gettext_lazy("Subscribed"),
    "billing.cancel": gettext_lazy("Subscription cancelled at the end of the period"),
    "billing.resume": gettext_lazy("Subscription cancellation withdrawn"),
    "billing.period_change": gettext_lazy("Payment period changed"),
    "billing.plan_change": gettext_lazy("Plan changed by Placette"),
    # The site's life, decided by our staff (ops.lifecycle), and its data taken away
    "tenant.deactivate": gettext_lazy("Site closed by Placette, its data to be deleted on a date"),
    "tenant.reactivate_before_wipe": gettext_lazy("Site reopened before its data was deleted"),
    "tenant.wipe": gettext_lazy("Site's data deleted"),
    "data_export.request": gettext_lazy("Export of the site's data asked for"),
    "billing.payment_method": gettext_lazy("Payment method changed by Placette"),
    "billing.buyer_details": gettext_lazy("Billing details changed"),
    "billing.stripe_invoice": gettext_lazy("Invoice updated by the payment service"),
    "billing.stripe_subscription": gettext_lazy("Subscription updated by the payment service"),
    "billing.trial_ended": gettext_lazy("Free trial ended"),
    "billing.overdue": gettext_lazy("Payment overdue"),
    "billing.read_only": gettext_lazy("Site made read only for an unpaid invoice"),
    # Mutual aid (mutual_aid.conversations.services)
    "post.helped": gettext_lazy("Help marked as given on a post"),
    # Mutual aid's exchanges (mutual_aid.exchanges)
    "post.create": gettext_lazy("Post published"),
    "loan.ask": gettext_lazy("Asked to borrow an object"),
    "loan.accept": gettext_lazy("Loan accepted by the owner"),
    "loan.refuse": gettext_lazy("Loan declined by the owner"),
    "loan.lend": gettext_lazy("Object lent"),
    "loan.return": gettext_lazy("Object given back"),
    "loan.cancel": gettext_lazy("Loan request cancelled by the borrower"),
    "carpool.book": gettext_lazy("Carpool seat booked"),
    "carpool.refuse": gettext_lazy("Passenger declined by the driver"),
    "carpool.cancel": gettext_lazy("Carpool booking cancelled by the passenger"),
    "purchase.commit": gettext_lazy("Quantity committed to a group purchase"),
    "purchase.change": gettext_lazy("Quantity changed in a group purchase"),
    "purchase.withdraw": gettext_lazy("Withdrawn from a group purchase"),
    "purchase.close": gettext_lazy("Group purchase closed by its organiser"),
    # Mutual aid: residents' posts (mutual_aid.posting.services)
    "post.update": gettext_lazy("Post changed by its author"),
    "post.close": gettext_lazy("Post closed by its author"),
    "post.renew": gettext_lazy("Post renewed"),
    "post.delete": gettext_lazy("Post deleted by its author"),
    # Mutual aid: the town's choices (mutual_aid.staff.services)
    "aid_category.add": gettext_lazy("Mutual aid category added"),
    "aid_category.change": gettext_lazy("Mutual aid category changed"),
    "aid_category.remove": gettext_lazy("Mutual aid category removed"),
    "help_line.add": gettext_lazy("Help line added"),
    "help_line.change": gettext_lazy("Help line changed"),
    "aid_settings.change": gettext_lazy("Mutual aid settings changed"),
    # Mutual aid (mutual_aid.dashboard): "aid.*", since "mutual_aid.*" names its notification kinds
    "aid.goal": gettext_lazy("Goal of active residents changed"),
    # Idea box (participation.ideas)
    "idea.submit": gettext_lazy("Idea proposed"),
    "idea.answer": gettext_lazy("Idea answered by the town (status changed)"),
    "idea.merge": gettext_lazy("Idea merged into another one"),
    "idea_category.add": gettext_lazy("Idea category added"),
    "idea_category.change": gettext_lazy("Idea category changed"),
    "idea_settings.change": gettext_lazy("Idea box settings changed"),
    # Consultations (participation.consultations.services and .builder)
    "consultation.create": gettext_lazy("Consultation created"),
    "consultation.update": gettext_lazy("Consultation changed"),
    "consultation.publish": gettext_lazy("Consultation published"),
    "consultation.duplicate": gettext_lazy("Consultation duplicated"),
    "consultation.attachment_add": gettext_lazy("Document added to a consultation"),
    "consultation.attachment_remove": gettext_lazy("Document removed from a consultation"),
    "consultation.section_add": gettext_lazy("Questionnaire section added"),
    "consultation.section_change": gettext_lazy("Questionnaire section changed"),
    "consultation.section_remove": gettext_lazy("Questionnaire section removed"),
    "consultation.section_move": gettext_lazy("Questionnaire section moved"),
    "consultation.question_add": gettext_lazy("Question added to a consultation"),
    "consultation.question_change": gettext_lazy("Question of a consultation changed"),
    "consultation.question_remove": gettext_lazy("Question removed from a consultation"),
    "consultation.question_move": gettext_lazy("Question of a consultation moved"),
    # Paper answers (participation.consultations.paper)
    "consultation.paper_answer_add": gettext_lazy("Paper answer typed in"),
    "consultation.paper_answer_change": gettext_lazy("Paper answer corrected"),
    "consultation.paper_answer_remove": gettext_lazy("Paper answer removed"),
    # Consultations' results (participation.consultations.publication and .reviews)
    "consultation.results_publish": gettext_lazy("Results of a consultation published"),
    "consultation.results_unpublish": gettext_lazy("Results of a consultation withdrawn"),
    "consultation.conclusion_publish": gettext_lazy("Conclusion of a consultation published"),
    "consultation.conclusion_change": gettext_lazy("Conclusion of a consultation changed"),
    "consultation.text_review": gettext_lazy("Written answers of a consultation reviewed"),
}

# Kinds of action to filter by: the code prefixes each covers (new codes join their kind).
KINDS: dict[str, tuple[Promise, tuple[str, ...]]] = {
    "team": (gettext_lazy("Team"), ("invitation.", "member.", "site.", "claim.")),
    "residents": (gettext_lazy("Residents"), ("resident.", "account.")),
    "settings": (gettext_lazy("Site settings"), ("settings.", "neighbourhood.")),
    "moderation": (gettext_lazy("Moderation"), ("moderator.",)),
    "subscription": (
        gettext_lazy("Subscription"),
        ("billing.", "collectivite.", "tenant.", "data_export."),
    ),
    "mutual_aid": (
        gettext_lazy("Mutual aid"),
        (
            "post.",
            "loan.",
            "carpool.",
            "purchase.",
            "aid_category.",
            "help_line.",
            "aid_settings.",
            "aid.",
        ),
    ),
    "ideas": (gettext_lazy("Idea box"), ("idea.", "idea_category.", "idea_settings.")),
    "consultations": (gettext_lazy("Consultations"), ("consultation.",)),
}

FIELDS: dict[str, Promise] = {
    "host": gettext_lazy("Web address"),
    "primary_domain": gettext_lazy("Main web address"),
    "conclusion_html": gettext_lazy("Conclusion"),
    "results_published_at": gettext_lazy("Results published on"),
    "published": gettext_lazy("Written answers published"),
    "withheld": gettext_lazy("Written answers withheld"),
    "support_threshold": gettext_lazy("Supports after which the town studies an idea"),
    "supports_carried": gettext_lazy("Supports carried over"),
    "merged_into": gettext_lazy("Merged into idea no."),
    "role": gettext_lazy("Role"),
    "neighbourhood": gettext_lazy("Neighbourhood"),
    "login_code_expires_at": gettext_lazy("Code valid until"),
    "name": gettext_lazy("Name"),
    "names": pgettext_lazy("audit log", "Names"),
    "slug": pgettext_lazy("audit log", "Site address"),
    "resident_count": gettext_lazy("Residents who had chosen it"),
    "primary_colour": gettext_lazy("Main colour"),
    "logo": gettext_lazy("Logo"),
    "welcome_text": gettext_lazy("Welcome text"),
    "mutual_aid_enabled": gettext_lazy("Mutual aid"),
    "consultations_enabled": gettext_lazy("Consultations"),
    "ideas_enabled": gettext_lazy("Idea box"),
    "contact_address": gettext_lazy("Postal address"),
    "contact_phone": gettext_lazy("Phone"),
    "contact_email": gettext_lazy("Email address"),
    "contact_website": gettext_lazy("Website"),
    "opening_hours": gettext_lazy("Opening hours"),
    "charter": gettext_lazy("Moderation charter"),
    "setup_completed_at": gettext_lazy("Set-up finished on"),
    "verified_at": gettext_lazy("Verified on"),
    "verified_via": gettext_lazy("Verified by"),
    "admins": gettext_lazy("Administrators"),
    "domain": gettext_lazy("Email domain"),
    "official_code": gettext_lazy("INSEE code or SIREN"),
    "is_active": gettext_lazy("Account open"),
    "status": gettext_lazy("Status"),
    "helper": gettext_lazy("Who helped"),
    "thanks": gettext_lazy("Thanks"),
    "thanks_public": gettext_lazy("Thanks shown to all"),
    "category": gettext_lazy("Category"),
    "start_date": pgettext_lazy("audit log", "From"),
    "end_date": pgettext_lazy("audit log", "Until"),
    "seats": gettext_lazy("Seats"),
    "passenger": gettext_lazy("Passenger"),
    "quantity": gettext_lazy("Quantity"),
    "target_quantity": gettext_lazy("Target quantity"),
    "goes_ahead": gettext_lazy("The purchase goes ahead"),
    # Mutual aid
    "title": gettext_lazy("Title"),
    "description": gettext_lazy("Description"),
    "kind": gettext_lazy("Offer or request"),
    "when": gettext_lazy("When"),
    "date_start": gettext_lazy("Date"),
    "date_end": gettext_lazy("Until"),
    "rhythm": gettext_lazy("How often"),
    "photos": gettext_lazy("Photos"),
    "photo_descriptions": gettext_lazy("Descriptions of the photos"),
    "expires_at": gettext_lazy("Shown until"),
    "icon": gettext_lazy("Icon"),
    "position": gettext_lazy("Order"),
    "enabled": gettext_lazy("Shown"),
    "sensitive": gettext_lazy("Sensitive"),
    "number": gettext_lazy("Number"),
    "sensitive_verified_only": gettext_lazy("Only verified residents answer sensitive posts"),
    "active_residents_goal": gettext_lazy("Goal: active residents"),
}

# Facts rather than switches: shown as yes or no, not on or off.
YES_NO_FIELDS = {"goes_ahead"}

# Longer than this, a value is shown folded (a charter, a welcome text).
LONG_VALUE = 120


def action_label(code: str) -> str:
    return str(ACTIONS.get(code, code))


def kind_choices() -> list[tuple[str, Promise]]:
    return [(key, label) for key, (label, _prefixes) in KINDS.items()]


def of_kind(entries: Any, kind: str) -> Any:
    """`entries` (a queryset of AuditEntry) narrowed to one kind of action, or all of them."""
    if kind not in KINDS:
        return entries
    match = Q()
    for prefix in KINDS[kind][1]:
        match |= Q(action__startswith=prefix)
    return entries.filter(match)


@dataclass(frozen=True)
class Change:
    label: str
    before: str | None  # None: the value did not exist before (a creation)
    after: str | None  # None: it no longer exists (a removal)

    @property
    def is_long(self) -> bool:
        return max(len(self.before or ""), len(self.after or "")) > LONG_VALUE


@dataclass(frozen=True)
class Row:
    """One entry as the log page shows it."""

    entry: AuditEntry
    label: str
    actor: str
    target: str
    changes: list[Change]


def describe(entry: AuditEntry) -> Row:
    return Row(
        entry=entry,
        label=action_label(entry.action),
        actor=_actor(entry),
        target=entry.target_label,
        changes=[
            Change(
                label=str(FIELDS.get(field, field)),
                before=_shown(field, entry.before[field]) if field in entry.before else None,
                after=_shown(field, entry.after[field]) if field in entry.after else None,
            )
            for field in [*entry.before, *(f for f in entry.after if f not in entry.before)]
        ],
    )


def _actor(entry: AuditEntry) -> str:
    if not entry.actor_schema:
        return _("Placette (automatic)")
    if entry.actor_schema == "public":
        return _("%(name)s, Placette team") % {"name": entry.actor_label}
    return entry.actor_label


def _shown(field: str, value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool) and field in YES_NO_FIELDS:
        return pgettext("audit log", "yes") if value else pgettext("audit log", "no")
    if isinstance(value, bool):
        return pgettext("audit log", "on") if value else pgettext("audit log", "off")
    if field == "role" and value in User.Role.values:
        return str(User.Role(value).label)
    if field == "verified_via" and value in Collectivite.Verification.values:
        return str(Collectivite.Verification(value).label)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, str) and ISO_DATE.match(value):
        return _shown_moment(value)
    return str(value)


# Dates and times are kept as ISO strings (tenants.audit): shown as people write them.
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?)?$")


def _shown_moment(value: str) -> str:
    try:
        if len(value) == len("2026-12-31"):
            return formats.date_format(date.fromisoformat(value), "DATE_FORMAT")
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")
