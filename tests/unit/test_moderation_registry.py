"""The moderation registry refuses what would break the queue: a bad key, a key taken twice."""

from __future__ import annotations

import pytest

from notifications.models import Notification
from tenants.models import Collectivite
from townsite.models import Invitation
from townsite.moderation import registry


def _register(model, key: str, **extra):
    return registry.register(
        model,
        key=key,
        label="x",
        author=lambda obj: None,
        excerpt=str,
        url=lambda obj: "",
        **extra,
    )


def test_a_person_is_reportable_out_of_the_box() -> None:
    person = registry.get("personne")
    assert person is not None
    assert not person.hideable


@pytest.mark.parametrize("key", ["", "Annonce", "1post", "a/b", "x" * 41])
def test_a_key_is_a_short_lowercase_slug(key: str) -> None:
    with pytest.raises(ValueError, match="short slug"):
        _register(Invitation, key)
    assert registry.get(key) is None


def test_a_key_is_registered_once() -> None:
    _register(Invitation, "invitation-test")
    try:
        with pytest.raises(ValueError, match="registered twice"):
            _register(Collectivite, "invitation-test")
        assert registry.get("invitation-test").model is Invitation  # type: ignore[union-attr]
    finally:
        registry.unregister("invitation-test")


def test_only_moderated_models_take_hide_hooks() -> None:
    with pytest.raises(ValueError, match="must inherit Moderated"):
        _register(Notification, "notif-test", hide=lambda obj: None)
    assert registry.get("notif-test") is None
