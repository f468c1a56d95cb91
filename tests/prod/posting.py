"""A resident's offer posted over HTTPS through the mutual aid form, with or without a photo:
what the faults and the backup check post, the way a browser does."""

from __future__ import annotations

import os
import re
import struct
import zlib

import requests
from machine import StackError


def noise_png(side: int = 200) -> bytes:
    """A PNG of noise (it does not compress: some 100 KB)."""
    rows = b"".join(b"\0" + os.urandom(side * 3) for _ in range(side))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 1))
        + chunk(b"IEND", b"")
    )


def post_offer(
    browser: requests.Session,
    url: str,
    title: str,
    description: str,
    photo: tuple[bytes, str] | None = None,
) -> requests.Response:
    """The offer form at `url` (the town's /entraide/nouvelle-annonce/offre/) read, then sent
    in its first category; `photo` is a PNG and the words describing it. The answer is not
    followed: 302 when published, the form again with its errors otherwise."""
    page = browser.get(url, timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    category = re.search(r'<select name="category".*?<option value="(\d+)"', page.text, re.S)
    if page.status_code != 200 or token is None or category is None:
        raise StackError(f"No offer form at {url} ({page.status_code})")
    data = {
        "csrfmiddlewaretoken": token.group(1),
        "category": category.group(1),
        "title": title,
        "description": description,
        "when": "",
    }
    files = {}
    if photo is not None:
        data["photo_1_description"] = photo[1]
        files["photo_1"] = ("photo.png", photo[0], "image/png")
    return browser.post(
        url,
        data=data,
        files=files or None,
        headers={"Referer": url},
        timeout=60,
        allow_redirects=False,
    )
