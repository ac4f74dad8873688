import time

from django.core.management.base import BaseCommand
from django.db import transaction

from facts.models import Event, StageSpan
from facts.refresh import rebuild_facts


class Command(BaseCommand):
    help = (
        "Reconstruit le modèle de lecture des indicateurs (événements et périodes d'étape) à partir des "
        "enregistrements : après un changement de géographie ou une écriture hors des services."
    )

    def handle(self, *args, **options):
        began = time.monotonic()
        with transaction.atomic():
            rebuild_facts()
        self.stdout.write(
            f"Modèle de lecture reconstruit : {Event.objects.count()} événements, "
            f"{StageSpan.objects.count()} périodes d'étape, en {time.monotonic() - began:.1f} s."
        )
