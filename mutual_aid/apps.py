from django.apps import AppConfig


class MutualAidConfig(AppConfig):
    name = "mutual_aid"
    verbose_name = "Entraide"
