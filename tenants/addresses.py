"""Absolute addresses of the public site and of each town's site.

Links that leave the request (emails, printed sheets) are built here, from the tenant's own
domain and the configured SITE_SCHEME and SITE_PORT, never from the Host header a client sent.
"""

from django.conf import settings

from tenants import schema


def _origin(host: str) -> str:
    port = settings.SITE_PORT
    default = 443 if settings.SITE_SCHEME == "https" else 80
    suffix = f":{port}" if port and port != default else ""
    return f"{settings.SITE_SCHEME}://{host}{suffix}"


def host_url(host: str, path: str = "/") -> str:
    """The address of a path on one of our hosts (a town's custom domain, for example)."""
    return _origin(host) + path


def root_url(path: str = "/") -> str:
    return _origin(settings.ROOT_DOMAIN) + path


def town_url(slug: str, path: str = "/") -> str:
    return _origin(f"{slug}.{settings.ROOT_DOMAIN}") + path


def current_site_url(path: str = "/") -> str:
    """The address of a path on the site of the current schema: its town's, or the root's."""
    if schema.is_public():
        return root_url(path)
    return town_url(schema.current_tenant().slug, path)
