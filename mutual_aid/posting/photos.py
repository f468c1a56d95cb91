"""A post's photos: checked with Pillow, re-encoded upright without metadata, stored under a
random name in the town's own storage, and served only through `mutual_aid.views.photo`."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from mutual_aid.models import MAX_PHOTOS, Photo, Post
from tenants.storage import is_disk_full
from townsite.setup.logos import CheckedImage, LogoError, check_image, reencoded

MAX_PHOTO_BYTES = 10 * 1024 * 1024
# A phone's photo is 12 to 50 million pixels; far more from a small file is a decompression bomb.
MAX_PHOTO_PIXELS = 50_000_000
MAX_PHOTO_SIDE = 12_000
# Stored photos fit in this box: sharp on a phone or a laptop, light to serve.
STORED_SIDE = 1600
DESCRIPTION_MAX = Photo._meta.get_field("description").max_length or 200

PHOTO_ERRORS = {
    "too_big": _("This photo is larger than 10 MB. Choose a smaller one."),
    "not_an_image": _("This file is not a photo we can read. Choose a JPEG, PNG or WebP image."),
    "wrong_format": _("Only JPEG, PNG or WebP photos are accepted."),
    "too_large": _("This photo has too many pixels: at most %(pixels)s million."),
    "too_many": _("A post has at most %(count)s photos."),
    "description_too_long": _("The description of a photo has at most %(count)s characters."),
    "storage_full": _(
        "Your photos could not be stored: our storage is full for the moment. Nothing was "
        "published and your text is kept below; try again in a little while."
    ),
}


@dataclass(frozen=True)
class CheckedPhoto:
    """A photo ready to store, with the words that describe it to who cannot see it."""

    image: CheckedImage
    description: str = ""


def photo_error(code: str) -> ValidationError:
    params = {"pixels": number_format(MAX_PHOTO_PIXELS // 1_000_000), "count": MAX_PHOTOS}
    if code == "description_too_long":
        params["count"] = DESCRIPTION_MAX
    return ValidationError(PHOTO_ERRORS[code], code=code, params=params)


def check_photo(upload: File[Any], description: str = "") -> CheckedPhoto:
    """The upload as a photo we accept, else a ValidationError with its French message."""
    description = " ".join(description.split())
    if len(description) > DESCRIPTION_MAX:
        raise photo_error("description_too_long")
    try:
        image = check_image(
            upload,  # type: ignore[arg-type]  # any File has size and read()
            max_bytes=MAX_PHOTO_BYTES,
            max_side=MAX_PHOTO_SIDE,
            max_pixels=MAX_PHOTO_PIXELS,
        )
    except LogoError as error:
        raise photo_error(error.code) from None
    return CheckedPhoto(image=image, description=description)


def checked_photos(photos: Iterable[Any]) -> list[CheckedPhoto]:
    """What a service was given (checked photos, uploads, or (upload, description) pairs), all
    checked: the API and the pages hand photos over the way they have them."""
    checked = []
    for item in photos:
        if isinstance(item, CheckedPhoto):
            checked.append(item)
        elif isinstance(item, tuple):
            checked.append(check_photo(item[0], str(item[1] or "")))
        else:
            checked.append(check_photo(item))
    return checked


def add_photos(post: Post, photos: list[CheckedPhoto]) -> list[Photo]:
    """Store the photos after the post's current ones (the caller holds the post's lock).

    The re-encoding happens here, so a file Pillow could open but not decode is refused
    before anything is written."""
    if not photos:
        return []
    existing = list(post.photos.order_by("position", "pk"))
    if len(existing) + len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": photo_error("too_many")})
    contents = []
    for photo in photos:
        try:
            contents.append(reencoded(photo.image, max_side=STORED_SIDE, name=_random_name()))
        except LogoError as error:
            raise ValidationError({"photos": photo_error(error.code)}) from None
    start = max((photo.position for photo in existing), default=-1) + 1
    stored: list[Photo] = []
    try:
        for offset, (photo, content) in enumerate(zip(photos, contents, strict=True)):
            row = Photo(post=post, description=photo.description, position=start + offset)
            row.image.save(content.name or "photo", content, save=False)
            stored.append(row)
            row.save()
    except Exception as error:
        # Files are not transactional: those written before the failure go with it (the one
        # being written when it failed was never put in place: tenants.storage).
        for row in stored:
            default_storage.delete(row.image.name or "")
        if is_disk_full(error):
            raise ValidationError({"photos": photo_error("storage_full")}) from error
        raise
    return stored


def remove_photos(photos: Iterable[Photo]) -> list[int]:
    """Delete the rows now, their files once the deletion is committed. Returns their ids."""
    removed = []
    for photo in photos:
        name = photo.image.name or ""
        removed.append(photo.pk)
        photo.delete()
        if name:
            transaction.on_commit(partial(default_storage.delete, name))
    return removed


def _random_name() -> str:
    # Nothing of the original name (a person's name, a place) and nothing to guess.
    return secrets.token_urlsafe(18)
