"""allauth, the Placette way: residents sign up on their town's site; nobody signs up on the root."""

from django.db import connection
from django.http import HttpRequest
from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Ops staff accounts are made by `createopsuser`, never through a form.
        return connection.schema_name != "public"
