"""`manage.py bilan`: every indicator of the catalogue for a territory and a period (indicators.md)."""

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from project.db_router import reading_from_replica
from reports.catalogue import CATALOGUE, IndicatorResult
from reports.exports.command import FILE_FORMATS
from reports.indicators import compute_bilan
from reports.periods import period_error
from territories.territory import Territory, TerritoryError, parse_territory


@dataclass(frozen=True)
class Bilan:
    territory: Territory
    start: date
    end: date
    results: dict[str, IndicatorResult]


def as_json(bilan: Bilan) -> str:
    document = {
        "territory": {"code": bilan.territory.key, "name": bilan.territory.name},
        "start": bilan.start.isoformat(),
        "end": bilan.end.isoformat(),
        "indicators": {code: result.value for code, result in bilan.results.items()},
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def as_csv(bilan: Bilan) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["code", "axis", "label", "unit", "value"])
    for code, result in bilan.results.items():
        indicator = CATALOGUE[code]
        value = "" if result.value is None else result.value
        writer.writerow([code, indicator.axis, indicator.label, indicator.unit, value])
    return buffer.getvalue()


# A format renders a whole bilan as text (standard output or --output) or bytes (--output only).
FORMATS: dict[str, Callable[[Bilan], str | bytes]] = {"json": as_json, "csv": as_csv}
# The bilan pages' files (by year, by sub-territory, charts, definitions), with exact figures.
FORMATS.update(FILE_FORMATS)


def parse_day(text: str, *, which: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"Date de {which} invalide : « {text} ». Utilisez le format AAAA-MM-JJ.") from None


class Command(BaseCommand):
    help = "Calcule le bilan du plan Logement d'abord (tous les indicateurs) d'un territoire sur une période."

    def add_arguments(self, parser):
        parser.add_argument(
            "--territory",
            required=True,
            help="france, region:CODE, departement:CODE, epci:SIREN ou commune:CODE (ex. region:93).",
        )
        parser.add_argument("--start", required=True, help="Premier jour de la période (AAAA-MM-JJ).")
        parser.add_argument("--end", required=True, help="Dernier jour de la période, inclus (AAAA-MM-JJ).")
        parser.add_argument("--format", default="json", choices=sorted(FORMATS), help="Format de sortie.")
        parser.add_argument("--output", help="Fichier à écrire au lieu de la sortie standard.")

    def handle(self, *args, territory, start, end, format, output, **options):
        try:
            place = parse_territory(territory)
        except TerritoryError as error:
            raise CommandError(str(error)) from None
        first, last = parse_day(start, which="début"), parse_day(end, which="fin")
        if last < first:
            raise CommandError(
                f"Période inversée : la date de fin ({last:%d/%m/%Y}) précède la date de début ({first:%d/%m/%Y})."
            )
        if error := period_error(first, last):
            raise CommandError(error)
        with reading_from_replica("bilan command"):  # the streaming replica, when usable (db_router.py)
            results = compute_bilan(place, first, last)
        rendered = FORMATS[format](Bilan(place, first, last, results))
        if output:
            path = Path(output)
            if isinstance(rendered, bytes):
                path.write_bytes(rendered)
            else:
                path.write_text(rendered, encoding="utf-8")
        elif isinstance(rendered, bytes):
            raise CommandError(f"Le format {format} s'écrit dans un fichier : ajoutez --output FICHIER.")
        else:
            self.stdout.write(rendered, ending="")
