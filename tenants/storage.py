"""The towns' media files: each town in its own folder (django-tenants), never half-written.

Django's FileSystemStorage writes straight into the final file: a disk that fills up mid-way
leaves a truncated photo that later pages would serve. Here a file is written beside its final
name and renamed into place only once complete (a rename within a folder is atomic); on any
failure the partial file is removed and the error raised for the caller to explain.
"""

from __future__ import annotations

import errno
import os
import secrets
from contextlib import suppress
from typing import Any

from django_tenants.files.storage import TenantFileSystemStorage

# What a full disk (or a full quota) raises.
DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})


def is_disk_full(error: BaseException | None) -> bool:
    """The error, or one it was raised from, says the disk is full."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, OSError) and error.errno in DISK_FULL:
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


class TownFileStorage(TenantFileSystemStorage):
    def _save(self, name: str, content: Any) -> str:
        head, tail = os.path.split(name)
        partial = os.path.join(head, f".{tail}.{secrets.token_hex(6)}.part")
        try:
            written = super()._save(partial, content)
            os.replace(self.path(written), self.path(name))
        except BaseException:
            with suppress(OSError):
                os.remove(self.path(partial))
            raise
        return name.replace("\\", "/")
