"""The user: a resident or a town's staff in a town schema, an ops staff member in public."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    class Role(models.TextChoices):
        RESIDENT = "resident", _("Resident")
        MODERATOR = "moderator", _("Moderator")
        ADMIN = "admin", _("Town admin")

    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(
        _("name shown to others"),
        max_length=80,
        help_text=_("Your first name, your full name or a pseudonym."),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.RESIDENT)
    # The login name printed on the welcome sheet of a resident registered at the town hall
    # desk ("dupont-4827", accounts.login_names); nobody else has one: they log in by email.
    login_name = models.CharField(
        _("login name"), max_length=40, unique=True, null=True, blank=True, default=None
    )
    # Ops staff only exist in the public schema; is_staff means nothing in a town schema.
    is_staff = models.BooleanField(_("Placette staff"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name

    @property
    def is_town_admin(self) -> bool:
        return self.role == self.Role.ADMIN

    @property
    def is_moderator(self) -> bool:
        return self.role in (self.Role.MODERATOR, self.Role.ADMIN)


class ApiToken(models.Model):
    """A resident's key to the API ("Authorization: Token ..."), kept only as a hash bound to the
    town's schema (accounts.tokens): shown once at creation, it works on that town's site only."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
