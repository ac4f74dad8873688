from django.apps import AppConfig


class FactsConfig(AppConfig):
    name = "facts"
    verbose_name = "Modèle de lecture des indicateurs"
    default_auto_field = "django.db.models.BigAutoField"
