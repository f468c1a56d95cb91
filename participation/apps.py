from django.apps import AppConfig


class ParticipationConfig(AppConfig):
    name = "participation"
    verbose_name = "Participation"

    def ready(self) -> None:
        from participation import usage
        from participation.consultations import wiring as consultations
        from participation.ideas import wiring as ideas

        consultations.ready()
        ideas.ready()
        usage.register()  # its counters on the ops console
