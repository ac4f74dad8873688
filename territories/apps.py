from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class TerritoriesConfig(AppConfig):
    name = "territories"
    verbose_name = "Territoires et offre"

    def ready(self):
        from territories.models import StallThreshold
        from territories.stall import forget_overrides

        for signal in (post_save, post_delete):
            signal.connect(forget_overrides, sender=StallThreshold, dispatch_uid=f"forget-overrides-{signal}")
