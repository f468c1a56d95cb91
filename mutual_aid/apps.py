from django.apps import AppConfig


class MutualAidConfig(AppConfig):
    name = "mutual_aid"
    verbose_name = "Entraide"

    def ready(self) -> None:
        from mutual_aid import (
            kinds,  # noqa: F401  (registers its notification kinds)
            personal_data,
        )

        personal_data.connect()
