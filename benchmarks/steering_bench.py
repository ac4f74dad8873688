"""Monthly steering timings on the bench database (issue 14: the 24-month flow of a région at 1,000,000
pathways within 1 s): the flows of the région with the most pathways over the last 24 complete months,
cold (first call) and warm (median of `--repeat`), the returns of a cohort, and the whole page as an
administrator of that région (`banc-pilotage`, created once). Not a test: nothing fails, figures are read.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/parcours_bench python -m benchmarks.steering_bench
"""

import argparse
import datetime
import json
import statistics
import time

from benchmarks.pages import _configure, time_page

TARGET_MS = 1000
USERNAME = "banc-pilotage"


def _timed(function) -> tuple[float, object]:
    started = time.perf_counter()
    result = function()
    return (time.perf_counter() - started) * 1000, result


def measure(*, repeat: int = 5) -> list[dict]:
    _configure()
    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone

    from accounts.enums import Role
    from accounts.models import User
    from facts.models import ActiveSpan
    from project.months import last_complete_months
    from steering.flows import monthly_flows
    from steering.returns import returns_after_housing
    from territories.territory import Territory

    busiest = ActiveSpan.objects.values("region").annotate(n=Count("pk")).order_by("-n").first()
    if busiest is None:
        raise SystemExit("Aucune période active dans la base : importez d'abord un dossier d'échange.")
    region = Territory("region", busiest["region"], f"région {busiest['region']}")
    today = timezone.localdate()
    months = last_complete_months(today)
    cold, flows = _timed(lambda: monthly_flows(region, months))
    warm = statistics.median(_timed(lambda: monthly_flows(region, months))[0] for _ in range(repeat))
    cohort = today.year - 3
    start, end = datetime.date(cohort, 1, 1), datetime.date(cohort, 12, 31)
    returns_ms, returns = _timed(lambda: returns_after_housing(region, start, end, today=today))
    user = User.objects.filter(username=USERNAME).first() or User.objects.create(
        username=USERNAME,
        role=Role.ADMINISTRATOR,
        territories=f"region:{busiest['region']}",
        first_name="Banc",
        last_name="Pilotage",
    )
    client = Client()
    client.force_login(user)
    page = time_page(client, "/pilotage/", repeat=repeat)
    return [
        {
            "page": f"flux 24 mois, région {busiest['region']} ({busiest['n']} périodes actives)",
            "cold_ms": round(cold, 1),
            "warm_ms": round(warm, 1),
            "balanced": flows.balanced,
            "active_at_end": flows.total[-1].end,
            "inflow": sum(f.inflow_total for f in flows.total),
            "outflow": sum(f.outflow_total for f in flows.total),
        },
        {"page": f"retours, cohorte {cohort}", "cold_ms": round(returns_ms, 1), "move_ins": returns.move_ins},
        {"page": "page « Pilotage » (administrateur de la région)", **page},
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    print(json.dumps(measure(repeat=parser.parse_args().repeat)))


if __name__ == "__main__":
    main()
