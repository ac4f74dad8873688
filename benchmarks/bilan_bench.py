"""Bilan benchmark: time `compute_bilan(region:93, 2018-01-01, 2022-12-31)` on the data of DATABASE_URL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/parcours_bench python -m benchmarks.bilan_bench [--runs N]

Load data first (for example `python -m benchmarks.import_bench`). Each indicator is timed too, so that a
slow query is easy to find; the first run also warms the database's cache.
"""

import argparse
import os
import time
from datetime import date

TERRITORY = "region:93"
START, END = date(2018, 1, 1), date(2022, 12, 31)


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()


def main() -> None:
    parser = argparse.ArgumentParser(description="Mesure le calcul du bilan de la région 93, 2018-2022.")
    parser.add_argument("--runs", type=int, default=3, help="Nombre de calculs complets mesurés.")
    args = parser.parse_args()
    _setup_django()
    from django.db import connection

    from pathways.models import Pathway, Transition
    from reports.catalogue import CATALOGUE
    from reports.indicators import compute_bilan
    from territories.territory import parse_territory

    territory = parse_territory(TERRITORY)
    print(
        f"Base {connection.vendor} : {Pathway.objects.count()} parcours, "
        f"{Transition.objects.count()} changements d'étape."
    )
    for code, indicator in CATALOGUE.items():
        started = time.perf_counter()
        result = indicator.compute(territory, START, END)
        print(f"  {code:<36} {time.perf_counter() - started:7.3f} s  {result.value}")
    for run in range(1, args.runs + 1):
        started = time.perf_counter()
        compute_bilan(territory, START, END)
        print(f"bilan {TERRITORY} {START}..{END}, calcul {run} : {time.perf_counter() - started:.3f} s")


if __name__ == "__main__":
    main()
