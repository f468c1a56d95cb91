"""A consultation's files: PDF or images, size-capped, checked by their content (not their name)."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 10
# Pillow's format names and the extension and type each file is stored and served with.
IMAGE_TYPES = {
    "PNG": ("png", "image/png"),
    "JPEG": ("jpg", "image/jpeg"),
    "WEBP": ("webp", "image/webp"),
}
PDF = ("pdf", "application/pdf")
ERRORS = {
    "too_big": _("This file is larger than 10 MB. Choose a smaller one."),
    "wrong_type": _("Only PDF documents and JPEG, PNG or WebP images are accepted."),
    "too_many": _("A consultation has at most 10 files."),
}


def attachment_error(code: str) -> ValidationError:
    return ValidationError(ERRORS[code], code=code)


def checked_kind(upload: UploadedFile[Any] | Any) -> tuple[str, str]:
    """(extension, content type) of an acceptable upload, else a ValidationError. The size is
    checked before a byte is read; the type from the bytes, never from the name sent."""
    if upload.size is None or upload.size > MAX_ATTACHMENT_BYTES:
        raise attachment_error("too_big")
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        return PDF
    try:
        with Image.open(upload) as image:
            image_format = image.format or ""
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise attachment_error("wrong_type") from None
    finally:
        upload.seek(0)
    if image_format not in IMAGE_TYPES:
        raise attachment_error("wrong_type")
    return IMAGE_TYPES[image_format]


def stored_name(extension: str) -> str:
    """A random name: the file's address says nothing and cannot be guessed."""
    return f"{secrets.token_urlsafe(16)}.{extension}"
