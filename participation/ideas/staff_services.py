"""The town's choices for its idea box: categories (name, order, on/off) and the support
threshold. Admins' writes, audited."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify

from accounts.models import User
from participation.ideas.models import IdeaCategory, IdeaSettings
from tenants.audit import record


@transaction.atomic
def add_category(staff: User, *, name: str, position: int) -> IdeaCategory:
    base = slugify(name)[:50] or "categorie"
    slug, n = base, 1
    while IdeaCategory.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    category = IdeaCategory.objects.create(name=name, slug=slug, position=position)
    record("idea_category.add", actor=staff, target=category, target_label=name)
    return category


@transaction.atomic
def change_category(
    staff: User, category: IdeaCategory, *, name: str, position: int, enabled: bool
) -> IdeaCategory:
    category = IdeaCategory.objects.select_for_update().get(pk=category.pk)
    wanted = {"name": name, "position": position, "enabled": enabled}
    changed = {field: value for field, value in wanted.items() if getattr(category, field) != value}
    if not changed:
        return category
    before = {field: getattr(category, field) for field in changed}
    for field, value in changed.items():
        setattr(category, field, value)
    category.save(update_fields=list(changed))
    record(
        "idea_category.change",
        actor=staff,
        target=category,
        target_label=category.name,
        before=before,
        after=changed,
    )
    return category


@transaction.atomic
def set_threshold(staff: User, threshold: int) -> IdeaSettings:
    current = IdeaSettings.objects.select_for_update().filter(pk=1).first()
    if current is None:
        current = IdeaSettings.objects.create(pk=1)
    if current.support_threshold == threshold:
        return current
    before = current.support_threshold
    current.support_threshold = threshold
    current.save(update_fields=["support_threshold"])
    record(
        "idea_settings.change",
        actor=staff,
        target=current,
        target_label="",
        before={"support_threshold": before},
        after={"support_threshold": threshold},
    )
    return current
