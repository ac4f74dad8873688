"""Import benchmark: generate N pathways (default 100,000) and import them into DATABASE_URL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/parcours_bench python -m benchmarks.import_bench [--pathways N]

The database must be migrated and hold the geography (`load_geography`). Records left by an earlier run
of this benchmark (external ids starting with `bench-`) are deleted first, untimed, so that every run
measures a first import; `--again` also times a second import of the same folder (nothing to change).
Ends with `check_integrity` on the whole database (exit status 1 on any inconsistency).
"""

import argparse
import os
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 120


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()


PREFIX = "bench-"


def _clear_previous_run() -> None:
    """Delete what earlier runs imported (ids starting with PREFIX), and nothing else."""
    from django.db import transaction

    from pathways.models import (
        Assignment,
        Contact,
        Household,
        Measure,
        Member,
        Pathway,
        Situation,
        Transition,
        transition_history_replacement,
    )
    from territories.models import Site, Structure

    pathways = Pathway.objects.filter(external_id__startswith=PREFIX).values("pk")
    households = Household.objects.filter(external_id__startswith=PREFIX).values("pk")
    # The benchmark's own rows are the one other deletion the append-only log allows (pathways/models.py).
    with transaction.atomic(), transition_history_replacement():
        Measure.objects.filter(external_id__startswith=PREFIX).delete()
        for model in (Transition, Situation, Contact, Assignment):
            model.objects.filter(pathway__in=pathways)._raw_delete(model.objects.db)
        Pathway.objects.filter(external_id__startswith=PREFIX)._raw_delete(Pathway.objects.db)
        Member.objects.filter(household__in=households)._raw_delete(Member.objects.db)
        Household.objects.filter(external_id__startswith=PREFIX)._raw_delete(Household.objects.db)
        Site.objects.filter(external_id__startswith=PREFIX).delete()
        Structure.objects.filter(external_id__startswith=PREFIX).delete()


def main() -> None:
    parser = argparse.ArgumentParser(description="Mesure l'import au format d'échange.")
    parser.add_argument("--pathways", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--again", action="store_true", help="Mesurer aussi un second import (rien ne change).")
    args = parser.parse_args()
    _setup_django()
    from django.db import connection

    import pathways.exchange.importer as importer_module
    from benchmarks.generate import generate
    from pathways.exchange.reading import read_source

    if connection.vendor != "postgresql":
        print(f"Attention : base {connection.vendor}, la cible de 2 minutes vaut pour PostgreSQL.")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.monotonic()
        rows = generate(folder, args.pathways, seed=args.seed, prefix=PREFIX)
        print(
            f"Dossier généré en {time.monotonic() - started:.1f} s : {', '.join(f'{n} {c}' for n, c in rows.items())}"
        )
        _clear_previous_run()
        if connection.vendor == "postgresql":
            # The rows of the previous run are dead but not reclaimed: without a VACUUM they slow down the
            # import and the bilan timed next, which a real first import never has.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM")
        runs = ["premier import"] + (["second import"] if args.again else [])
        for label in runs:
            started = time.monotonic()
            report = importer_module.import_exchange(read_source(folder))
            elapsed = time.monotonic() - started
            if report.errors:
                raise SystemExit("\n".join(str(e) for e in report.errors[:20]))
            summary = "; ".join(f"{name} : {counts}" for name, counts in report.counts.items())
            print(f"{label} : {summary}")
            verdict = "OK" if elapsed <= TARGET_SECONDS else f"au-delà de la cible de {TARGET_SECONDS} s"
            print(
                f"{label} : {args.pathways} parcours en {elapsed:.1f} s, "
                f"{args.pathways / elapsed:.0f} parcours importés par seconde ({verdict})"
            )
    _check_integrity()


def _check_integrity() -> None:
    """The imported log must pass every consistency check (pathways.integrity); timed, as it must stay
    affordable on a large base."""
    from pathways.integrity import integrity_check

    started = time.monotonic()
    report = integrity_check()
    print(report.text())
    print(f"Contrôle de cohérence en {time.monotonic() - started:.1f} s")
    if not report.ok:
        raise SystemExit(f"Import incohérent : {report.violations} incohérence(s).")


if __name__ == "__main__":
    main()
