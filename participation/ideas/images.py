"""An idea's image: checked with Pillow (townsite.setup.logos), re-encoded upright without its
metadata, stored under a random name in the town's own storage, served only through
`participation.ideas.views.image` to who may see the idea."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from townsite.setup.logos import CheckedImage, LogoError, check_image, reencoded

# The same rules as mutual aid's photos: a phone's picture passes, a decompression bomb not.
MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_IMAGE_PIXELS = 50_000_000
MAX_IMAGE_SIDE = 12_000
STORED_SIDE = 1600

IMAGE_ERRORS = {
    "too_big": _("This image is larger than 10 MB. Choose a smaller one."),
    "not_an_image": _("This file is not an image we can read. Choose a JPEG, PNG or WebP image."),
    "wrong_format": _("Only JPEG, PNG or WebP images are accepted."),
    "too_large": _("This image has too many pixels: at most %(pixels)s million."),
}


@dataclass(frozen=True)
class CheckedIdeaImage:
    image: CheckedImage


def image_error(code: str) -> ValidationError:
    params = {"pixels": number_format(MAX_IMAGE_PIXELS // 1_000_000)}
    return ValidationError(IMAGE_ERRORS[code], code=code, params=params)


def check_idea_image(upload: File[Any]) -> CheckedIdeaImage:
    """The upload as an image we accept (by its content, never its name), else a
    ValidationError with its French message."""
    try:
        image = check_image(
            upload,  # type: ignore[arg-type]  # any File has size and read()
            max_bytes=MAX_IMAGE_BYTES,
            max_side=MAX_IMAGE_SIDE,
            max_pixels=MAX_IMAGE_PIXELS,
        )
    except LogoError as error:
        raise image_error(error.code) from None
    return CheckedIdeaImage(image=image)


def stored_content(checked: CheckedIdeaImage) -> ContentFile[bytes]:
    """The re-encoded file (a file Pillow could open but not decode is refused here)."""
    try:
        return reencoded(checked.image, max_side=STORED_SIDE, name=secrets.token_urlsafe(18))
    except LogoError as error:
        raise ValidationError({"image": image_error(error.code)}) from None
