from django.apps import AppConfig


class TownsiteConfig(AppConfig):
    name = "townsite"
    verbose_name = "Site de la collectivité"
