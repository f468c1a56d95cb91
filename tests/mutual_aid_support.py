"""Shared by the mutual aid suites: images to upload, a temporary media folder, form data,
and residents suspended, blocked or verified for real (moderation's own rows)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone
from PIL import ExifTags, Image

from accounts.factories import UserFactory
from accounts.models import User
from mutual_aid.factories import PostFactory, category
from mutual_aid.models import Post
from townsite.models import ResidentProfile
from townsite.moderation.models import Block


def image_bytes(
    image_format: str = "JPEG", size: tuple[int, int] = (64, 48), *, gps: bool = False
) -> bytes:
    """A small picture; with `gps`, tagged as phones do (place, maker, sideways orientation)."""
    picture = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[ExifTags.Base.Orientation] = 6  # taken sideways: shown turned by 90°
        exif[ExifTags.Base.Make] = "PhoneCo"
        exif[ExifTags.IFD.GPSInfo] = {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: (48.0, 51.0, 24.0),
        }
        picture.save(out, format=image_format, exif=exif)
    else:
        picture.save(out, format=image_format)
    return out.getvalue()


def photo_upload(name: str = "photo.jpg", data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes() if data is None else data, "image/jpeg")


@pytest.fixture
def media_root(tmp_path: Path) -> Iterator[Path]:
    """Uploads go to a temporary folder. django-tenants' storage caches its root, so it is
    forgotten on the way in and out."""
    storage = storages["default"]
    with override_settings(MEDIA_ROOT=str(tmp_path)):
        storage.__dict__.pop("relative_media_root", None)
        yield tmp_path
    storage.__dict__.pop("relative_media_root", None)


def post_form(**overrides: Any) -> dict[str, Any]:
    """What a resident types in the post form (in the active town's schema)."""
    data: dict[str, Any] = {
        "category": category("courses").pk,
        "title": "Courses à l'épicerie le samedi",
        "description": "Je peux faire vos courses à l'épicerie du village.",
        "when": "",
        "date_start": "",
        "date_end": "",
        "rhythm": "",
    }
    data.update(overrides)
    return data


def in_days(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def new_post(**fields: Any) -> Post:
    """PostFactory, typed: a post in the active town's schema."""
    return cast(Post, PostFactory(**fields))


def new_resident(**fields: Any) -> User:
    return cast(User, UserFactory(**fields))


def suspend(monkeypatch: pytest.MonkeyPatch | None, *people: User) -> None:
    """Suspended as moderation records it (the `monkeypatch` argument is kept for callers)."""
    for person in people:
        ResidentProfile.objects.update_or_create(
            user=person,
            defaults={"suspended_at": timezone.now(), "suspension_reason": "Pour le test"},
        )


def block(monkeypatch: pytest.MonkeyPatch | None, first: User, second: User) -> None:
    """`first` blocks `second`, as the blocking page does."""
    Block.objects.get_or_create(blocker=first, blocked=second)


def verified(monkeypatch: pytest.MonkeyPatch | None, *people: User) -> None:
    """Verified by the town, as the staff's button does."""
    for person in people:
        ResidentProfile.objects.update_or_create(
            user=person, defaults={"verified_at": timezone.now()}
        )
