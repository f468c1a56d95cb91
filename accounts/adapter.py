"""allauth, the Placette way: sign-up on town sites only; emails named and linked for the town."""

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailConfirmation, EmailConfirmationHMAC
from allauth.core import context as allauth_context
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.http import HttpRequest
from django.urls import reverse

from accounts.mail import render_subject, render_text
from tenants import schema
from tenants.addresses import current_site_url

# allauth builds the links of these emails from the request's Host header, in code with no
# adapter hook: they are rebuilt from the site's own address (a Host can carry any port).
_PAGE_LINKS = {
    "account/email/unknown_account": {"signup_url": "account_signup"},
    "account/email/account_already_exists": {
        "signup_url": "account_signup",
        "password_reset_url": "account_reset_password",
    },
}


@dataclass(frozen=True)
class EmailSite:
    """What allauth's email templates read as `current_site`: the town by name and address."""

    name: str
    domain: str


def email_site() -> EmailSite:
    name = "Placette" if schema.is_public() else schema.current_tenant().name
    return EmailSite(name=name, domain=urlsplit(current_site_url()).netloc)


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # `.invalid` never delivers (RFC 2606): the stand-in address of a resident registered
        # at the town hall desk without an email (townsite.residents.placeholders).
        if email.lower().endswith(".invalid"):
            return
        ctx = {
            "request": allauth_context.request,
            "email": email,
            **context,
            # Not the request's Host (RequestSite): the town's name and its own address.
            "current_site": email_site(),
        }
        for key, url_name in _PAGE_LINKS.get(template_prefix, {}).items():
            ctx[key] = current_site_url(reverse(url_name))
        self.render_mail(template_prefix, email, ctx).send()

    def render_mail(
        self,
        template_prefix: str,
        email: str | list[str],
        context: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> EmailMessage:
        """allauth's emails in plain text, rendered as ours are (accounts.mail: no HTML
        escaping, so a town called L'Haÿ-les-Roses keeps its apostrophe)."""
        to = [email] if isinstance(email, str) else email
        subject = self.format_email_subject(
            render_subject(f"{template_prefix}_subject.txt", context)
        )
        body = render_text(f"{template_prefix}_message.txt", context).strip()
        return EmailMultiAlternatives(subject, body, self.get_from_email(), to, headers=headers)

    def get_email_confirmation_url(
        self,
        request: HttpRequest | None,
        emailconfirmation: EmailConfirmation | EmailConfirmationHMAC,
    ) -> str:
        return current_site_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def get_reset_password_from_key_url(self, key: str) -> str:
        # allauth's own way to put its opaque "uidb36-key" in the URL of the reset page.
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return current_site_url(path.replace("UID-KEY", quote(key)))

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Ops staff accounts are made by `createopsuser`, never through a form.
        return not schema.is_public()
