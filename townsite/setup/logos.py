"""The town's logo: checked with Pillow, then stored re-encoded (no metadata, bounded size)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, UnidentifiedImageError

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


def check_logo(upload: UploadedFile) -> CheckedLogo:
    """The upload's bytes if Pillow reads them as a PNG, JPEG or WebP of at most 2 MB."""
    if upload.size is not None and upload.size > MAX_LOGO_BYTES:
        raise LogoError("too_big")
    data = upload.read(MAX_LOGO_BYTES + 1)
    if len(data) > MAX_LOGO_BYTES:
        raise LogoError("too_big")
    try:
        with Image.open(io.BytesIO(data)) as image:
            image_format = image.format or ""
            too_large = max(image.size) > MAX_UPLOAD_SIDE
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise LogoError("not_an_image") from None
    if image_format not in FORMATS:
        raise LogoError("wrong_format")
    if too_large:
        raise LogoError("too_large")
    return CheckedLogo(data=data, format=image_format)


def reencoded(logo: CheckedLogo) -> ContentFile[bytes]:
    """The logo decoded and saved again: metadata (GPS in a photo…) and hidden payloads go."""
    with Image.open(io.BytesIO(logo.data)) as image:
        image.load()
        image.thumbnail((MAX_LOGO_SIDE, MAX_LOGO_SIDE))
        out = io.BytesIO()
        if logo.format == "JPEG" and image.mode not in ("RGB", "L"):
            image.convert("RGB").save(out, format=logo.format)
        else:
            image.save(out, format=logo.format)
    return ContentFile(out.getvalue(), name=f"logo.{FORMATS[logo.format]}")


def content_type(name: str) -> str:
    return CONTENT_TYPES.get(name.rsplit(".", 1)[-1].lower(), "application/octet-stream")
