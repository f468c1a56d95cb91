"""Uploaded images (the town's logo, and the modules' photos): checked with Pillow, then stored
re-encoded (no metadata, bounded size)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_LOGO_BYTES = 2 * 1024 * 1024
# Stored logos fit in this box: enough for a sharp header on any screen, small to serve.
MAX_LOGO_SIDE = 1024
# Decoding a small file of huge dimensions would take the memory of the web process.
MAX_UPLOAD_SIDE = 6000
FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}


class LogoError(ValueError):
    """Why an upload is not a logo we accept; the code says which message to show."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class CheckedLogo:
    data: bytes
    format: str  # a key of FORMATS


# What the checks return for any image, a logo or a photo.
CheckedImage = CheckedLogo


def check_logo(upload: UploadedFile) -> CheckedLogo:
    """The upload's bytes if Pillow reads them as a PNG, JPEG or WebP of at most 2 MB."""
    return check_image(upload, max_bytes=MAX_LOGO_BYTES, max_side=MAX_UPLOAD_SIDE)


def check_image(
    upload: UploadedFile, *, max_bytes: int, max_side: int, max_pixels: int | None = None
) -> CheckedImage:
    """The upload's bytes if Pillow reads them as a PNG, JPEG or WebP within the caps. The
    size is checked before a byte is read, the dimensions before any pixel is decoded."""
    if upload.size is not None and upload.size > max_bytes:
        raise LogoError("too_big")
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise LogoError("too_big")
    try:
        with Image.open(io.BytesIO(data)) as image:
            image_format = image.format or ""
            width, height = image.size
            too_large = max(width, height) > max_side or (
                max_pixels is not None and width * height > max_pixels
            )
            image.verify()
    except Image.DecompressionBombError:
        raise LogoError("too_large") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise LogoError("not_an_image") from None
    if image_format not in FORMATS:
        raise LogoError("wrong_format")
    if too_large:
        raise LogoError("too_large")
    return CheckedLogo(data=data, format=image_format)


def reencoded(
    logo: CheckedImage, *, max_side: int = MAX_LOGO_SIDE, name: str = "logo"
) -> ContentFile[bytes]:
    """The image decoded and saved again: metadata (GPS in a photo…) and hidden payloads go.
    A photo taken sideways is turned upright first (its orientation lives in that metadata).
    Raises LogoError("not_an_image") when the pixels themselves cannot be decoded."""
    try:
        with Image.open(io.BytesIO(logo.data)) as opened:
            opened.load()
            image = ImageOps.exif_transpose(opened)
            image.thumbnail((max_side, max_side))
            out = io.BytesIO()
            if logo.format == "JPEG" and image.mode not in ("RGB", "L"):
                image.convert("RGB").save(out, format=logo.format, quality=85)
            elif logo.format == "JPEG":
                image.save(out, format=logo.format, quality=85)
            else:
                image.save(out, format=logo.format)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise LogoError("not_an_image") from None
    return ContentFile(out.getvalue(), name=f"{name}.{FORMATS[logo.format]}")


def content_type(name: str) -> str:
    return CONTENT_TYPES.get(name.rsplit(".", 1)[-1].lower(), "application/octet-stream")
