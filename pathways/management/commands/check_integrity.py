import json
import time

from django.core.management.base import BaseCommand, CommandError

from pathways.integrity import integrity_check


class Command(BaseCommand):
    help = (
        "Contrôle la cohérence des parcours et de leur journal d'étapes (numéros d'ordre, passages permis, "
        "dates, étape courante, liens entre étapes, lignes orphelines). Code de sortie 1 si une incohérence "
        "est trouvée."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", dest="as_json", help="Écrire le rapport en JSON.")
        parser.add_argument("--database", default="default", help="Base à contrôler (alias Django).")

    def handle(self, *args, as_json=False, database="default", **options):
        started = time.monotonic()
        report = integrity_check(using=database)
        elapsed = time.monotonic() - started
        if as_json:
            self.stdout.write(
                json.dumps({**report.as_dict(), "seconds": round(elapsed, 2)}, ensure_ascii=False, indent=2)
            )
        else:
            self.stdout.write(report.text())
            self.stdout.write(f"Durée du contrôle : {elapsed:.1f} s.")
        if not report.ok:
            # CommandError exits with status 1 and prints its message on stderr.
            raise CommandError(f"{report.violations} incohérence(s) trouvée(s).", returncode=1)
