"""Absolute addresses of the public site and of each town's site."""

from django.conf import settings


def _origin(host: str) -> str:
    port = settings.SITE_PORT
    default = 443 if settings.SITE_SCHEME == "https" else 80
    suffix = f":{port}" if port and port != default else ""
    return f"{settings.SITE_SCHEME}://{host}{suffix}"


def root_url(path: str = "/") -> str:
    return _origin(settings.ROOT_DOMAIN) + path


def town_url(slug: str, path: str = "/") -> str:
    return _origin(f"{slug}.{settings.ROOT_DOMAIN}") + path
