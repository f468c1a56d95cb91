from django.apps import AppConfig


class MutualAidConfig(AppConfig):
    name = "mutual_aid"
    verbose_name = "Entraide"

    def ready(self) -> None:
        from mutual_aid import (
            home,
            kinds,  # noqa: F401  (registers its notification kinds)
            list_cache,
            moderation,
            personal_data,
            usage,
        )
        from mutual_aid.following import tasks  # noqa: F401  (not found by autodiscovery)
        from mutual_aid.posting import tasks as posting_tasks  # noqa: F401  (its daily task)
        from townsite.home_blocks import register as register_home_block

        personal_data.connect()
        list_cache.connect()
        register_home_block("mutual_aid", home.build)
        moderation.register()
        usage.register()  # its counters on the ops console
