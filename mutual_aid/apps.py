from django.apps import AppConfig


class MutualAidConfig(AppConfig):
    name = "mutual_aid"
    verbose_name = "Entraide"

    def ready(self) -> None:
        from mutual_aid import home, kinds  # noqa: F401  (registers its notification kinds)
        from townsite.home_blocks import register

        register("mutual_aid", home.build)
