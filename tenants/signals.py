"""Keep the host -> tenant cache true: any change to a collectivité or a domain empties it."""

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tenants.directory import bump_generation
from tenants.models import Collectivite, Domain


@receiver([post_save, post_delete], sender=Collectivite)
@receiver([post_save, post_delete], sender=Domain)
def forget_cached_hosts(sender: type, **kwargs: Any) -> None:
    bump_generation()
    # A web process could re-read the old row before this transaction commits: bump again after.
    transaction.on_commit(bump_generation)
