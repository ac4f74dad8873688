"""Bilan benchmark on the data of DATABASE_URL, each measure printing one JSON line (benchmarks/run.py
reads them; run it in a fresh process per measure so that "cold" means a new process).

    python -m benchmarks.bilan_bench command [--territory region:93 --start 2018-01-01 --end 2022-12-31]
    python -m benchmarks.bilan_bench run          # one background run (bilan_run_execute)
    python -m benchmarks.bilan_bench drilldown    # drill-down pages of the latest bench run
    python -m benchmarks.bilan_bench indicators   # each indicator of the catalogue alone

`command`: the `bilan` command (call_command, JSON output) twice in this process: cold (first call of a
new process) then warm; the 19 values. `run`: a pending BilanRun (requested by the account `banc-bilan`,
administrator of the territory) computed by reports.services.bilan_run_execute, with its wall time, the
process's peak memory (ru_maxrss) and the size the reports tables took (PostgreSQL
pg_total_relation_size of every reports_ table; SQLite: used pages of the file). `drilldown`: first and
last page of the largest figure of that run, p50/p95 of `--repeat` requests and their queries.
"""

import argparse
import json
import os
import resource
import statistics
import sys
import time
from datetime import date

USERNAME = "banc-bilan"


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reports_storage_bytes() -> int:
    """Bytes held by the tables of the reports app (bilan figures and drill-down records)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind = 'r' AND n.nspname = current_schema() AND c.relname LIKE 'reports\\_%%'"
            )
            return int(cursor.fetchone()[0])
        cursor.execute("PRAGMA page_count")
        pages = cursor.fetchone()[0]
        cursor.execute("PRAGMA freelist_count")
        free = cursor.fetchone()[0]
        cursor.execute("PRAGMA page_size")
        return (pages - free) * cursor.fetchone()[0]


def _command(args) -> dict:
    from io import StringIO

    from django.core.management import call_command

    times, values = [], None
    for _ in range(2):
        out = StringIO()
        started = time.perf_counter()
        call_command("bilan", territory=args.territory, start=args.start, end=args.end, format="json", stdout=out)
        times.append(time.perf_counter() - started)
        values = json.loads(out.getvalue())["indicators"]
    return {"cold_s": times[0], "warm_s": times[1], "values": values, "peak_mb": peak_mb()}


def _user():
    from accounts.enums import Role
    from accounts.models import User

    user = User.objects.filter(username=USERNAME).first()
    if user is None:
        user = User.objects.create(username=USERNAME, role=Role.ADMINISTRATOR, territories="region:93")
    return user


def _run(args) -> dict:
    from reports.models import BilanRun
    from reports.services import bilan_run_execute, catalogue_version
    from territories.territory import parse_territory

    territory = parse_territory(args.territory)
    run = BilanRun.objects.create(
        territory_kind=territory.kind,
        territory_code=territory.code,
        territory_name=territory.name,
        start=date.fromisoformat(args.start),
        end=date.fromisoformat(args.end),
        requested_by=_user(),
        catalogue_version=catalogue_version(),
    )
    before = reports_storage_bytes()
    started = time.perf_counter()
    run = bilan_run_execute(run_id=run.pk)
    elapsed = time.perf_counter() - started
    after = reports_storage_bytes()
    figures = run.figures.count()
    return {
        "run_id": run.pk,
        "status": run.status,
        "error": run.error,
        "seconds": elapsed,
        "peak_mb": peak_mb(),
        "storage_bytes": after - before,
        "figures": figures,
        "total": {f.indicator_code: f.count_value for f in run.figures.filter(scope="total")},
    }


def _drilldown(args) -> dict:
    os.environ["DEBUG"] = "false"
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from reports.models import BilanFigure, BilanRun

    settings.DEBUG = False
    settings.SECOND_FACTOR_REQUIRED = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    user = _user()
    run = BilanRun.objects.filter(requested_by=user, status="done").order_by("-pk").first()
    if run is None:
        return {"error": "aucun bilan terminé du banc"}
    figure = BilanFigure.objects.filter(run=run, scope="total").order_by("-cases", "pk").first()
    client = Client()
    client.force_login(user)
    pages = {"première page": 1, "dernière page": max(1, -(-figure.cases // 100))}
    rows = []
    for label, number in pages.items():
        path = reverse("reports:figure_records", args=[run.pk, figure.pk]) + f"?page={number}"
        response = client.get(path)
        if response.status_code != 200:
            rows.append({"page": label, "path": path, "error": f"réponse {response.status_code}"})
            continue
        samples = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            client.get(path)
            samples.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        samples.sort()
        rows.append(
            {
                "page": f"détail « {figure.indicator_code} » ({figure.cases} lignes), {label}",
                "path": path,
                "p50_ms": statistics.median(samples),
                "p95_ms": samples[max(0, round(0.95 * len(samples)) - 1)],
                "queries": len(queries),
            }
        )
    return {"pages": rows}


def _indicators(args) -> dict:
    from reports.catalogue import CATALOGUE
    from territories.territory import parse_territory

    territory = parse_territory(args.territory)
    start, end = date.fromisoformat(args.start), date.fromisoformat(args.end)
    result = {}
    for code, indicator in CATALOGUE.items():
        started = time.perf_counter()
        value = indicator.compute(territory, start, end).value
        result[code] = {"seconds": time.perf_counter() - started, "value": value}
    return {"indicators": result}


def main() -> None:
    parser = argparse.ArgumentParser(description="Mesure le bilan (commande, calcul en arrière-plan, détail).")
    parser.add_argument("what", choices=["command", "run", "drilldown", "indicators"])
    parser.add_argument("--territory", default="region:93")
    parser.add_argument("--start", default="2018-01-01")
    parser.add_argument("--end", default="2022-12-31")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    _setup_django()
    measure = {"command": _command, "run": _run, "drilldown": _drilldown, "indicators": _indicators}[args.what]
    json.dump(measure(args), sys.stdout, default=str)
    print()


if __name__ == "__main__":
    main()
