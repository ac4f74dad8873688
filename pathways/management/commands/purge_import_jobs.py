from django.core.management.base import BaseCommand

from pathways.exchange.jobs import import_jobs_purge, retention_days


class Command(BaseCommand):
    help = (
        "Supprime les imports déposés depuis plus de IMPORT_JOB_RETENTION_DAYS jours (12 mois), avec leurs "
        "erreurs et leur fichier. La tâche Celery beat pathways.purge_import_jobs le fait chaque jour."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Compter sans rien supprimer.")

    def handle(self, *args, dry_run=False, **options):
        count = import_jobs_purge(dry_run=dry_run)
        days = retention_days()
        if dry_run:
            self.stdout.write(f"{count} import(s) de plus de {days} jours seraient supprimés (simulation).")
        else:
            self.stdout.write(self.style.SUCCESS(f"{count} import(s) de plus de {days} jours supprimés."))
