import time

from django.core.management.base import BaseCommand
from django.db import transaction

from facts.refresh import rebuild_facts
from territories.geography import load_geography


class Command(BaseCommand):
    help = "Charge la géographie française (régions, départements, EPCI, communes, arrondissements). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Dire ce qui changerait sans rien écrire.")

    def handle(self, *args, dry_run=False, **options):
        started = time.monotonic()
        counts = load_geography(dry_run=dry_run)
        for label, count in counts.items():
            self.stdout.write(f"{label} : {count}")
        communes = counts["communes"]
        if not dry_run and communes.created + communes.updated:
            # The read model carries each row's EPCI, département and région codes: resolve them again.
            with transaction.atomic():
                rebuild_facts()
            self.stdout.write("Modèle de lecture des indicateurs reconstruit (communes modifiées).")
        verb = "Simulation terminée" if dry_run else "Géographie chargée"
        self.stdout.write(self.style.SUCCESS(f"{verb} en {time.monotonic() - started:.1f} s."))
