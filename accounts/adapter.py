"""allauth, the Placette way: residents sign up on their town's site, nobody on the root."""

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from tenants import schema


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Ops staff accounts are made by `createopsuser`, never through a form.
        return not schema.is_public()
