"""The sign-up's one error: a problem the person can understand and act on."""

from __future__ import annotations


class SignupError(Exception):
    """The message is for the person (French); `field` names the form field it belongs to."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
