"""Places page timings on the bench database: the vacancy list and the matching list of a vacancy (issue
12: both at 1,000,000 pathways within 150 ms p95).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/parcours_bench python -m benchmarks.places_pages [--repeat 20]

The database holds the pathways of benchmarks/import_bench.py (`--pathways 1000000` for the issue's
volume). This module adds, once, what the pages need and the import does not carry: a coordinator of the
département with the most pathways (`banc-places`), sites of that département with places of every size,
vacant (through places/services.py; external ids starting with `banc-places:`). Each page is rendered in
this process by Django's test client (DEBUG off), after one untimed request; it prints the median and p95
of `--repeat` requests, the queries of one request, the number of pathways and of candidates, and whether
the p95 is within the target. Not a test: nothing fails on a slow machine, the figures are read.
"""

import argparse
import os

from benchmarks.pages import time_page

TARGET_MS = 150
PREFIX = "banc-places:"
USERNAME = "banc-places"
# (persons min, persons max, bedrooms, accessible, pets) of the bench's places: a single, a couple, a
# family, an accessible studio.
SIZES = ((1, 1, 0, False, False), (1, 2, 1, False, True), (3, 6, 3, False, False), (1, 1, 0, True, False))


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    os.environ["DEBUG"] = "false"
    os.environ["SERVE_STATIC_FROM_APPS"] = "true"
    os.environ.setdefault("SECRET_KEY", "bench-places")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("SECURE_COOKIES", "false")
    import django

    django.setup()
    from django.conf import settings

    settings.SECOND_FACTOR_REQUIRED = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


def _prepare():
    """The coordinator and the vacant places of the busiest département (created once)."""
    from django.db.models import Count
    from django.utils import timezone

    from accounts.enums import Role
    from accounts.models import User
    from pathways.models import Pathway
    from places import services
    from places.models import Place
    from territories.models import Commune, Site, Structure

    busiest = Pathway.objects.values("commune__departement").annotate(n=Count("pk")).order_by("-n").first()
    if busiest is None:
        raise SystemExit("Aucun parcours dans la base : lancez d'abord benchmarks.import_bench.")
    departement = busiest["commune__departement"]
    user = User.objects.filter(username=USERNAME).first()
    if user is None:
        user = User.objects.create(username=USERNAME, role=Role.COORDINATOR, territories=f"departement:{departement}")
    if not Place.objects.filter(external_id__startswith=PREFIX).exists():
        communes = list(Commune.objects.filter(departement_id=departement).order_by("-population", "code")[:5])
        structure = Structure.objects.create(
            name="Association du banc d'essai",
            kind="association",
            commune=communes[0],
            external_id=f"{PREFIX}structure",
        )
        today = timezone.localdate()
        for index, commune in enumerate(communes * 4):
            site = Site.objects.create(
                structure=structure,
                kind="iml_sous_location",
                commune=commune,
                places=len(SIZES),
                opened_on=today - timezone.timedelta(days=400),
                external_id=f"{PREFIX}site:{index}",
            )
            for number, (low, high, bedrooms, accessible, pets) in enumerate(SIZES):
                services.place_create(
                    site=site,
                    label=f"Lot {number + 1}",
                    persons_min=low,
                    persons_max=high,
                    bedrooms=bedrooms,
                    reduced_mobility=accessible,
                    pets_allowed=pets,
                    vacant_from=today - timezone.timedelta(days=index * 7 + number),
                    external_id=f"{PREFIX}place:{index}:{number}",
                    by=None,
                )
    places = {
        size: Place.objects.filter(external_id=f"{PREFIX}place:0:{number}").first()
        for number, size in enumerate(("1 personne", "couple", "famille", "accessible"))
    }
    return user, places, departement


def measure(*, repeat: int = 20) -> list[dict]:
    """Time the vacancy list and the matching list of each bench place; one dict per page with the keys
    of benchmarks.pages.measure (page, path, p50_ms, p95_ms, queries) plus `candidates` for a matching list."""
    _setup()
    user, places, _ = _prepare()
    return _time_pages(user, places, repeat=repeat)


def _time_pages(user, places, *, repeat: int) -> list[dict]:
    from django.test import Client
    from django.utils import timezone

    from places.queries import candidates

    client = Client()
    client.force_login(user)
    pages = [("Places vacantes", "/places/", None)]
    pages += [
        (f"Ménages pour une place ({size})", f"/places/{place.pk}/menages/", place) for size, place in places.items()
    ]
    results = []
    for label, path, place in pages:
        row = {"page": label, "path": path, **time_page(client, path, repeat=repeat)}
        if place is not None:
            row["candidates"] = candidates(place, user=user, today=timezone.localdate()).count()
        results.append(row)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(
        description="Temps serveur des pages des places (liste des vacances, appariement)."
    )
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    _setup()
    from django.db import connection

    from pathways.models import Pathway

    user, places, departement = _prepare()
    results = _time_pages(user, places, repeat=args.repeat)
    total = Pathway.objects.count()
    in_scope = Pathway.objects.visible_to(user).count()
    oriented = Pathway.objects.visible_to(user).filter(stage="oriente").count()
    load = os.getloadavg()
    print(
        f"Pages des places ({connection.vendor}, {total} parcours dont {in_scope} dans le département "
        f"{departement}, {oriented} orientés ; charge {load[0]:.2f}) :"
    )
    print(f"  {'page':<36} {'médiane':>8} {'p95':>8} {'requêtes':>9}  cible p95 {TARGET_MS} ms")
    over = [row["page"] for row in results if row["p95_ms"] > TARGET_MS]
    for row in results:
        verdict = "ok" if row["p95_ms"] <= TARGET_MS else "au-dessus"
        fits = f"  ({row['candidates']} ménages conviennent)" if "candidates" in row else ""
        print(
            f"  {row['page']:<36} {row['p50_ms']:>6.0f} ms {row['p95_ms']:>5.0f} ms {row['queries']:>9}  {verdict}{fits}"
        )
    if over:
        print(f"Au-dessus de la cible : {', '.join(over)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
