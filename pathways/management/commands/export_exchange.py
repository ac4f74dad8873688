from django.core.management.base import BaseCommand, CommandError

from audit.enums import Action
from audit.services import audit_record
from pathways.exchange.exporter import export_exchange
from territories.territory import FRANCE, TerritoryError, parse_territory


class Command(BaseCommand):
    help = (
        "Exporte les données au format d'échange dans un dossier. Les noms et dates de naissance ne sont "
        "écrits qu'avec --with-personal-data."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="Dossier de destination (créé s'il n'existe pas).")
        parser.add_argument(
            "--territory",
            default="",
            help="Limiter à un territoire : region:CODE, departement:CODE, epci:SIREN ou commune:CODE.",
        )
        parser.add_argument(
            "--with-personal-data",
            action="store_true",
            help="Écrire aussi les noms, prénoms et dates de naissance des personnes de référence.",
        )

    def handle(self, *args, folder, territory="", with_personal_data=False, **options):
        try:
            scope = parse_territory(territory) if territory else FRANCE
        except TerritoryError as error:
            raise CommandError(str(error)) from error
        written = export_exchange(folder, territory=scope, with_personal_data=with_personal_data)
        audit_record(
            user=None,
            action=Action.EXPORT,
            target="exchange",
            detail=f"{scope.key}{' avec données personnelles' if with_personal_data else ''} vers {folder}",
        )
        for name, count in written.items():
            self.stdout.write(f"{name} : {count} ligne(s)")
        self.stdout.write(self.style.SUCCESS(f"Export terminé dans {folder} ({scope})."))
