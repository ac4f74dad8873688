from django.core.management.base import BaseCommand
from django.utils import timezone

from pathways.anonymisation import anonymise_after_days, households_anonymise


class Command(BaseCommand):
    help = (
        "Anonymise les dossiers des ménages sans activité depuis 2 ans (ANONYMISE_AFTER_DAYS jours) : noms, "
        "dates de naissance et notes effacés, chiffres des indicateurs conservés. Irréversible."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Dire combien de ménages seraient anonymisés, sans rien changer."
        )

    def handle(self, *args, dry_run=False, **options):
        today = timezone.localdate()
        days = anonymise_after_days()
        planned = households_anonymise(today=today, dry_run=True)
        self.stdout.write(f"{planned.plan} (sans activité depuis plus de {days} jours)")
        if dry_run:
            self.stdout.write("Simulation : rien n'a été modifié.")
            return
        done = households_anonymise(today=today)
        self.stdout.write(self.style.SUCCESS(done.outcome))
