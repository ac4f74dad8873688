from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Bilans"

    def ready(self):
        # The indicator modules register themselves: every reader of the catalogue finds it complete.
        from reports import indicators  # noqa: F401
