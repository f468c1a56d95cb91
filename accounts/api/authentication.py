"""How the API knows who calls: the browser's session (CSRF-checked) or a resident's key."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from accounts.api import throttling, tokens

KEYWORD = "Token"


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <key>`, with a key made on the resident's account page."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
        if len(header) != 2:
            throttling.count_bad_key(request)
            raise exceptions.AuthenticationFailed(
                _("Give the key after the word Token, separated by one space.")
            )
        try:
            clear = header[1].decode()
        except UnicodeError as error:
            throttling.count_bad_key(request)
            raise exceptions.AuthenticationFailed(_("This key is not valid.")) from error
        user = tokens.user_for(clear)
        if user is None:
            throttling.count_bad_key(request)
            raise exceptions.AuthenticationFailed(
                _("This key is not valid on this site, or it was revoked.")
            )
        return user, None

    def authenticate_header(self, request: Request) -> str:
        # Said to a caller without credentials, so that it answers 401, not 403.
        return KEYWORD


class CsrfCheckedSession(authentication.SessionAuthentication):
    """The browser's session; a write without the page's CSRF token is refused, in French
    (DRF's own message is not translated)."""

    def enforce_csrf(self, request: Request) -> None:
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied as refusal:
            raise exceptions.PermissionDenied(
                _("The security check of the page failed (CSRF). Reload the page, then try again.")
            ) from refusal


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How the schema describes the key (drf-spectacular finds it by the class it names)."""

    target_class = ApiTokenAuthentication
    name = "apiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": str(
                _(
                    "A key made on your account page, sent as `Token <key>`. "
                    "It works on this town's site only."
                )
            ),
        }


class SessionCookieScheme(SessionScheme):
    target_class = CsrfCheckedSession  # type: ignore[assignment]
