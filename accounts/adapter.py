"""allauth, the Placette way: residents sign up on their town's site, nobody on the root."""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from tenants import schema
from tenants.network import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # `.invalid` never delivers (RFC 2606): the stand-in address of a resident registered
        # at the town hall desk without an email (townsite.residents.placeholders).
        if email.lower().endswith(".invalid"):
            return
        super().send_mail(template_prefix, email, context)

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Ops staff accounts are made by `createopsuser`, never through a form.
        return not schema.is_public()

    def get_client_ip(self, request: HttpRequest) -> str:
        # allauth's rate limits count per address: the client's, not our proxy's.
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")
        return ip
