from django.core.management.base import BaseCommand

from audit.enums import RETENTION_DAYS
from audit.services import audit_purge


class Command(BaseCommand):
    help = "Supprime les événements du journal des accès plus anciens que la durée de conservation (12 mois)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Dire combien seraient supprimés, sans rien supprimer."
        )
        parser.add_argument("--days", type=int, default=RETENTION_DAYS, help="Durée de conservation en jours.")

    def handle(self, *args, dry_run=False, days=RETENTION_DAYS, **options):
        if days < 1:
            self.stderr.write("La durée de conservation doit être d'au moins un jour.")
            raise SystemExit(2)
        count = audit_purge(retention_days=days, dry_run=dry_run)
        if dry_run:
            self.stdout.write(f"{count} événement(s) de plus de {days} jours seraient supprimés (simulation).")
        else:
            self.stdout.write(self.style.SUCCESS(f"{count} événement(s) de plus de {days} jours supprimés."))
