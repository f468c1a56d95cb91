"""What every template needs to know of the site it renders for."""

from django.conf import settings
from django.http import HttpRequest

from tenants.addresses import root_url


def tenancy(request: HttpRequest) -> dict[str, object]:
    tenant = getattr(request, "tenant", None)
    is_town = tenant is not None and tenant.schema_name != "public"
    return {
        "collectivite": tenant if is_town else None,
        "is_public_site": not is_town,
        "root_url": root_url(),
        "root_domain": settings.ROOT_DOMAIN,
    }
