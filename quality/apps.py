from django.apps import AppConfig
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


class QualityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "quality"
    verbose_name = "Qualité des données"

    def ready(self):
        checks.register(thresholds_check)


def thresholds_check(app_configs=None, **kwargs) -> list[checks.Error]:
    """A threshold of 0 or less is read as an integer by settings.py but refused by the page: say so at
    `manage.py check` (and migrate, runserver) rather than on the first reader's request."""
    from quality.checks import late_days, stale_days

    errors = []
    for read, name in ((stale_days, "QUALITY_STALE_DAYS"), (late_days, "QUALITY_LATE_DAYS")):
        try:
            read()
        except ImproperlyConfigured as error:
            errors.append(checks.Error(str(error), hint=f"{name} : un nombre de jours, au moins 1.", id="quality.E001"))
    return errors
