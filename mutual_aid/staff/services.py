"""The town's choices for its mutual aid: categories, help lines and its settings. The only code
that writes them; each change is recorded in the town's log of actions."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from mutual_aid.models import Category, HelpLine, MutualAidSettings
from tenants import audit

# The icons a category may have (the design system draws each one).
ICONS = {
    "enfant": gettext_lazy("Child"),
    "panier": gettext_lazy("Basket"),
    "coeur": gettext_lazy("Heart"),
    "ordinateur": gettext_lazy("Computer"),
    "outil": gettext_lazy("Tool"),
    "plante": gettext_lazy("Plant"),
    "boite": gettext_lazy("Box"),
    "voiture": gettext_lazy("Car"),
    "sac": gettext_lazy("Bag"),
    "patte": gettext_lazy("Paw"),
    "tasse": gettext_lazy("Cup"),
    "autre": gettext_lazy("Other"),
}
CATEGORY_FIELDS = ("name", "icon", "position", "enabled", "sensitive")
HELP_LINE_FIELDS = ("name", "number", "description", "position", "enabled")


class StaffError(Exception):
    """Something the admin can fix; the message is for them (French)."""


# --- Categories ---------------------------------------------------------------------------


@transaction.atomic
def add_category(
    by: User | None, *, name: str, icon: str = "autre", sensitive: bool = False
) -> Category:
    values = _category_values({"name": name, "icon": icon, "sensitive": sensitive}, None)
    position = (Category.objects.aggregate(last=Max("position"))["last"] or 0) + 1
    category = Category.objects.create(
        slug=_free_slug(values["name"]), position=position, enabled=True, **values
    )
    audit.record(
        "aid_category.add",
        actor=by,
        target=category,
        after={"name": category.name, "icon": category.icon, "sensitive": category.sensitive},
    )
    return category


@transaction.atomic
def update_category(category: Category, by: User | None, **changes: Any) -> Category:
    """Rename, change the icon or order, show or hide, mark sensitive (posts keep it)."""
    _only(changes, CATEGORY_FIELDS)
    current = Category.objects.select_for_update().filter(pk=category.pk).first()
    if current is None:
        raise StaffError(_("This category was removed meanwhile."))
    old = {field: getattr(current, field) for field in CATEGORY_FIELDS}
    for field, value in _category_values({**old, **changes}, current).items():
        setattr(current, field, value)
    before, after = audit.changes(current, old, list(CATEGORY_FIELDS))
    if not after:
        return current
    current.save(update_fields=list(after))
    audit.record("aid_category.change", actor=by, target=current, before=before, after=after)
    return current


@transaction.atomic
def remove_category(category: Category, by: User | None) -> None:
    """Only a category no post ever had: the others are switched off instead."""
    current = Category.objects.select_for_update().filter(pk=category.pk).first()
    if current is None:
        return
    if current.posts.exists():
        raise StaffError(
            _(
                "Posts use this category: it cannot be removed. Hide it instead: "
                "it then takes no new post."
            )
        )
    audit.record("aid_category.remove", actor=by, target=current, before={"name": current.name})
    current.delete()


def _category_values(values: dict[str, Any], current: Category | None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    name = " ".join(str(values.get("name") or "").split())
    if not name:
        errors["name"] = _("Give the category a name.")
    elif len(name) > 60:
        errors["name"] = _("At most 60 characters, please.")
    elif Category.objects.filter(name__iexact=name).exclude(pk=current.pk if current else 0):
        errors["name"] = _("There is already a category called “%(name)s”.") % {"name": name}
    icon = str(values.get("icon") or "")
    if icon not in ICONS:
        errors["icon"] = _("Choose an icon from the list.")
    if errors:
        raise ValidationError(errors)
    out = {"name": name, "icon": icon, "sensitive": bool(values.get("sensitive"))}
    if current is not None:
        out["enabled"] = bool(values.get("enabled"))
        out["position"] = _position(values.get("position"))
    return out


def _free_slug(name: str) -> str:
    base = slugify(name)[:50] or "categorie"
    slug, number = base, 2
    while Category.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


# --- Help lines ---------------------------------------------------------------------------


@transaction.atomic
def add_help_line(by: User | None, *, name: str, number: str, description: str = "") -> HelpLine:
    values = _help_line_values({"name": name, "number": number, "description": description})
    position = (HelpLine.objects.aggregate(last=Max("position"))["last"] or 0) + 1
    line = HelpLine.objects.create(position=position, enabled=True, **values)
    audit.record("help_line.add", actor=by, target=line, after=values)
    return line


@transaction.atomic
def update_help_line(line: HelpLine, by: User | None, **changes: Any) -> HelpLine:
    """Correct, reorder, show or hide a help line (hidden ones stay in the list for later)."""
    _only(changes, HELP_LINE_FIELDS)
    current = HelpLine.objects.select_for_update().filter(pk=line.pk).first()
    if current is None:
        raise StaffError(_("This help line was removed meanwhile."))
    old = {field: getattr(current, field) for field in HELP_LINE_FIELDS}
    wanted = {**old, **changes}
    values = _help_line_values(wanted)
    values["enabled"] = bool(wanted.get("enabled"))
    values["position"] = _position(wanted.get("position"))
    for field, value in values.items():
        setattr(current, field, value)
    before, after = audit.changes(current, old, list(HELP_LINE_FIELDS))
    if not after:
        return current
    current.save(update_fields=list(after))
    audit.record("help_line.change", actor=by, target=current, before=before, after=after)
    return current


def _help_line_values(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    name = " ".join(str(values.get("name") or "").split())
    number = " ".join(str(values.get("number") or "").split())
    description = " ".join(str(values.get("description") or "").split())
    if not name:
        errors["name"] = _("Give the name of the help line.")
    elif len(name) > 120:
        errors["name"] = _("At most 120 characters, please.")
    if not number:
        errors["number"] = _("Give the number to call.")
    elif len(number) > 30 or not all(c.isdigit() or c in " +.-" for c in number):
        errors["number"] = _("Write the number with digits and spaces, for example 09 72 39 40 50.")
    if len(description) > 200:
        errors["description"] = _("At most 200 characters, please.")
    if errors:
        raise ValidationError(errors)
    return {"name": name, "number": number, "description": description}


# --- Settings -----------------------------------------------------------------------------


@transaction.atomic
def save_settings(by: User | None, *, sensitive_verified_only: bool) -> MutualAidSettings:
    MutualAidSettings.objects.get_or_create(pk=1)
    current = MutualAidSettings.objects.select_for_update().get(pk=1)
    if current.sensitive_verified_only == sensitive_verified_only:
        return current
    current.sensitive_verified_only = sensitive_verified_only
    current.save(update_fields=["sensitive_verified_only"])
    audit.record(
        "aid_settings.change",
        actor=by,
        before={"sensitive_verified_only": not sensitive_verified_only},
        after={"sensitive_verified_only": sensitive_verified_only},
    )
    return current


def _only(changes: dict[str, Any], fields: tuple[str, ...]) -> None:
    unknown = set(changes) - set(fields)
    if unknown:
        raise TypeError(f"cannot change {sorted(unknown)}")


def _position(value: Any) -> int:
    try:
        return max(0, min(int(value), 10_000))
    except (TypeError, ValueError):
        return 0
