from django.apps import AppConfig


class TownsiteConfig(AppConfig):
    name = "townsite"
    verbose_name = "Site de la collectivité"

    def ready(self) -> None:
        from townsite.moderation import export, kinds, registry  # noqa: F401  (the person kind)
        from townsite.residents import receivers  # noqa: F401  (a desk account's real email)
        from townsite.site_facts import register as register_site_facts

        kinds.register_kinds()
        export.register_sections()
        register_site_facts()
