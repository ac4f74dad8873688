"""Load the French geography carried in territories/data (see its README for the source)."""

import csv
import gzip
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction

from territories.models import Arrondissement, Commune, Departement, Epci, Region

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass
class LoadCount:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self):
        return f"{self.created} créé(s), {self.updated} mis à jour, {self.unchanged} inchangé(s)"


def _rows(name: str):
    with gzip.open(DATA_DIR / name, mode="rt", encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _sync(model, wanted: dict[str, dict], *, dry_run: bool) -> LoadCount:
    """Create or update `model` rows so that they hold `wanted` ({pk: field values}); one query to read,
    bulk writes for what differs. Rows absent from the data are kept (records may point to them)."""
    fields = list(next(iter(wanted.values())).keys())
    existing = {row["pk"]: row for row in model.objects.values("pk", *fields)}
    count = LoadCount()
    to_create, to_update = [], []
    for pk, values in wanted.items():
        current = existing.get(pk)
        if current is None:
            to_create.append(model(pk=pk, **values))
            count.created += 1
        elif any(current[f] != v for f, v in values.items()):
            to_update.append(model(pk=pk, **values))
            count.updated += 1
        else:
            count.unchanged += 1
    if not dry_run:
        model.objects.bulk_create(to_create, batch_size=2000)
        model.objects.bulk_update(to_update, fields, batch_size=1000)
    return count


@transaction.atomic
def load_geography(*, dry_run: bool = False) -> dict[str, LoadCount]:
    regions = {r["code"]: {"name": r["name"]} for r in _rows("regions.csv.gz")}
    departements = {d["code"]: {"name": d["name"], "region_id": d["region"]} for d in _rows("departements.csv.gz")}
    epcis = {e["siren"]: {"name": e["name"], "kind": e["type"]} for e in _rows("epci.csv.gz")}
    communes = {
        c["code"]: {
            "name": c["name"],
            "departement_id": c["departement"],
            "region_id": c["region"],
            "epci_id": c["epci"] or None,
            "population": int(c["population"]) if c["population"] else None,
        }
        for c in _rows("communes.csv.gz")
    }
    arrondissements = {
        a["code"]: {"name": a["name"], "commune_id": a["commune"]} for a in _rows("arrondissements_municipaux.csv.gz")
    }
    counts = {}
    for label, model, wanted in (
        ("régions", Region, regions),
        ("départements", Departement, departements),
        ("EPCI", Epci, epcis),
        ("communes", Commune, communes),
        ("arrondissements municipaux", Arrondissement, arrondissements),
    ):
        counts[label] = _sync(model, wanted, dry_run=dry_run)
    if dry_run:
        transaction.set_rollback(True)
    else:
        _analyze()
    return counts


def _analyze() -> None:
    """Give PostgreSQL's planner the geography's statistics now: without them it takes a région for 35
    communes instead of hundreds and picks nested loops that make a bilan ten times slower."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (Region, Departement, Epci, Commune, Arrondissement):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
