import time

from django.core.management.base import BaseCommand, CommandError

from audit.enums import Action
from audit.services import audit_record
from pathways.exchange.formats import FORMATS
from pathways.exchange.importer import import_exchange
from pathways.exchange.reading import SourceError, read_source


class Command(BaseCommand):
    help = (
        "Importe un dossier (ou une archive .zip) au format d'échange. Tout ou rien : si une ligne est "
        "invalide, rien n'est écrit et toutes les erreurs sont listées."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="Dossier ou archive .zip contenant les fichiers CSV.")
        parser.add_argument("--dry-run", action="store_true", help="Tout vérifier et compter sans rien écrire.")

    def handle(self, *args, source, dry_run=False, **options):
        started = time.monotonic()
        try:
            files = read_source(source)
        except SourceError as error:
            raise CommandError(str(error)) from error
        report = import_exchange(files, dry_run=dry_run)
        for name in report.ignored:
            self.stdout.write(f"Fichier ignoré : {name}")
        if report.errors:
            for error in report.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(report.errors)} erreur(s) : rien n'a été importé.")
        for fmt in FORMATS:
            if fmt.name in report.counts:
                self.stdout.write(f"{fmt.name} : {report.counts[fmt.name]}")
        if not dry_run:
            audit_record(user=None, action=Action.IMPORT, target="exchange", detail=str(source))
        verb = "Simulation terminée, rien n'a été écrit" if dry_run else "Import terminé"
        self.stdout.write(self.style.SUCCESS(f"{verb} en {time.monotonic() - started:.1f} s."))
