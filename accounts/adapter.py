"""allauth, the Placette way: sign-up on town sites only; emails named, signed and linked for the
town whose site sends them (on the root domain, for Placette)."""

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailConfirmation, EmailConfirmationHMAC
from allauth.core import context as allauth_context
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.http import HttpRequest
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _

from accounts.mail import from_email_named, render_subject, render_text
from tenants import schema
from tenants.addresses import current_site_url
from tenants.names import signature
from tenants.network import client_ip

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
    """What our account email templates read as `current_site`: the town by name and address,
    and who signs ("La mairie de Chavenay"); on the root domain, Placette."""

    name: str
    domain: str
    url: str
    signature: str
    is_town: bool


def email_site() -> EmailSite:
    url = current_site_url()
    if schema.is_public():
        name, signed_by = "Placette", str(_("The Placette team"))
    else:
        town = schema.current_tenant()
        name, signed_by = town.name, signature(town)
    return EmailSite(
        name=name,
        domain=urlsplit(url).netloc,
        url=url,
        signature=signed_by,
        is_town=not schema.is_public(),
    )


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": _(
            "This email address and this password do not go together. Check them and try again."
        ),
        # On a town's site the login form also takes a login name from the town hall desk.
        "login_password_mismatch": _(
            "This email address or login name and this password do not go together. Check "
            "them and try again."
        ),
        "too_many_login_attempts": _("Too many tries. Wait a few minutes, then try again."),
        "account_inactive": _("This account is closed."),
    }

    def validation_error(self, code: str, *args: Any) -> Any:
        if code == "email_password_mismatch" and not schema.is_public():
            code = "login_password_mismatch"
        return super().validation_error(code, *args)

    def format_email_subject(self, subject: str) -> str:
        """ "[Chavenay] Confirmez votre adresse e-mail": the town's name, not ours, on its site."""
        return f"[{email_site().name}] {force_str(subject)}"

    def get_from_email(self) -> str:
        """Our sending address, under the town's name on its site ("Chavenay <ne-pas-…>")."""
        return from_email_named(email_site().name)

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

    def get_client_ip(self, request: HttpRequest) -> str:
        # allauth's rate limits count per address: the client's, not our proxy's.
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")
        return ip

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # allauth keys an account's failed logins on the request's Host, port included: each
        # new port would open a fresh count. The schema is the site, whatever the Host says.
        login = str(credentials.get("email", credentials.get("username", ""))).lower()
        return f"{schema.current_schema()}:{login}"
