import time

from django.core.management.base import BaseCommand, CommandError
from django.db import InterfaceError, OperationalError

from audit.enums import Action
from audit.services import audit_record
from pathways.exchange.formats import FORMATS
from pathways.exchange.importer import import_exchange
from pathways.exchange.lock import ImportBusy
from pathways.exchange.reading import SourceError, read_source

DATABASE_LOST = (
    "La base de données ne répond plus : l'import a été interrompu. Il est tout ou rien : s'il n'a pas "
    "abouti, rien n'a été écrit. Relancez-le quand la base sera de nouveau disponible (un import déjà "
    "complet, relancé, ne change rien)."
)


class Command(BaseCommand):
    help = (
        "Importe un dossier (ou une archive .zip) au format d'échange. Tout ou rien : si une ligne est "
        "invalide, rien n'est écrit et toutes les erreurs sont listées (les 1 000 premières, puis leur "
        "nombre). Un seul import à la fois par instance."
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

        def audit(report) -> None:
            # Inside the import's transaction: an import that commits has its audit event, and only then.
            audit_record(user=None, action=Action.IMPORT, target="exchange", detail=str(source)[:300])

        try:
            report = import_exchange(files, dry_run=dry_run, before_commit=audit)
        except ImportBusy as error:
            raise CommandError(str(error)) from error
        except (OperationalError, InterfaceError) as error:
            raise CommandError(DATABASE_LOST) from error
        for name in report.ignored:
            self.stdout.write(f"Fichier ignoré : {name}")
        if report.errors:
            for error in report.errors:
                self.stderr.write(str(error))
            if report.errors.dropped:
                self.stderr.write(f"… et {report.errors.dropped} autre(s) erreur(s), non listée(s).")
            raise CommandError(f"{report.errors.total} erreur(s) : rien n'a été importé.")
        for fmt in FORMATS:
            if fmt.name in report.counts:
                self.stdout.write(f"{fmt.name} : {report.counts[fmt.name]}")
        verb = "Simulation terminée, rien n'a été écrit" if dry_run else "Import terminé"
        self.stdout.write(self.style.SUCCESS(f"{verb} en {time.monotonic() - started:.1f} s."))
