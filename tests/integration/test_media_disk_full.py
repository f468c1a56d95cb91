"""A full media disk: the resident is told in French, nothing is published, no half-written
file is left, and the same post goes through once there is room again. The disk is a real
one, a small tmpfs mounted over the media folder (as root; skipped where mounting is not
allowed)."""

from __future__ import annotations

import errno
import io
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.test import override_settings
from django_tenants.utils import schema_context
from PIL import Image

from mutual_aid.factories import category
from mutual_aid.models import Post
from mutual_aid.posting import services
from tests.mutual_aid_support import photo_upload

pytestmark = pytest.mark.django_db

DISK_KB = 256


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "media"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK_KB}k", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode:
        pytest.skip(f"cannot mount a small disk here: {mounted.stderr.decode().strip()}")
    storage = storages["default"]
    try:
        with override_settings(MEDIA_ROOT=str(folder)):
            storage.__dict__.pop("relative_media_root", None)
            yield folder
    finally:
        storage.__dict__.pop("relative_media_root", None)
        subprocess.run(["umount", str(folder)], check=True)


def _fill(folder: Path, leave: int) -> Path:
    """Fill the disk but `leave` bytes."""
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as file:
        try:
            while True:
                file.write(b"\0" * 4096)
        except OSError as error:
            assert error.errno == errno.ENOSPC
        file.truncate(max(0, file.tell() - leave))
    return filler


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def _noise_png(side: int = 120) -> bytes:
    # Noise does not compress: some 40 KB, re-encoded or not.
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, format="PNG")
    return out.getvalue()


def _publish(author):
    photo = photo_upload("panier.png", _noise_png())
    return services.publish_post(
        author,
        kind="offer",
        category=category("courses"),
        title="Un panier de légumes",
        description="Des légumes du jardin, à venir chercher.",
        photos=[photo],
    )


def test_a_photo_on_a_full_disk_is_refused_in_french_and_leaves_no_file(
    town_a, resident_a, small_disk
) -> None:
    filler = _fill(small_disk, leave=8 * 1024)
    with schema_context(town_a.schema_name):
        with pytest.raises(ValidationError) as refused:
            _publish(resident_a)
        assert not Post.objects.filter(title="Un panier de légumes").exists()
    assert refused.value.message_dict["photos"] == [
        "Vos photos n’ont pas pu être enregistrées : notre espace de stockage est plein pour "
        "le moment. Rien n’a été publié et votre texte est conservé ci-dessous ; réessayez "
        "dans un moment."
    ]
    assert _files(small_disk) == ["filler"]  # no truncated photo, no partial file

    filler.unlink()
    with schema_context(town_a.schema_name):
        post = _publish(resident_a)
        [photo] = post.photos.all()
    assert _files(small_disk) == [f"{town_a.schema_name}/{photo.image.name}"]


def test_the_storage_removes_its_partial_file_when_writing_fails(town_a, small_disk) -> None:
    _fill(small_disk, leave=4 * 1024)
    storage = storages["default"]
    with schema_context(town_a.schema_name), pytest.raises(OSError) as failed:
        storage.save("documents/big.bin", ContentFile(b"x" * 64 * 1024))
    assert failed.value.errno == errno.ENOSPC
    assert _files(small_disk) == ["filler"]
