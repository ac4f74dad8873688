"""Page timings: the coordinators' list pages on the bench database (issue 10, "Queues at 1 M": each
p95 <= 150 ms of server time with <= 10 queries at 1,000,000 pathways), and the casework pages on the demo.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/parcours_bench python -m benchmarks.pages [--repeat 20]
    python -m benchmarks.pages --demo [--repeat 15] [--fresh]

Bench mode (the default when DATABASE_URL is set): the database holds imported pathways (benchmarks/
generate.py + import_exchange, or benchmarks/import_bench.py) and no account. This module adds, once, a
coordinator of the département with the most pathways (`banc-files`) and a caseworker of the structure
with the most pathways of that département (`banc-referent`), then times every list page a coordinator
reads: the overview, the waiting queue unfiltered, by stage, with each filter, sorted, a deep page
(`?etape=demande&page=500`), the stalled pathways (first and a deep page), the housed households' list,
the territory's pathway list ("Parcours du territoire") and the caseworker's ("Mes parcours"), and the
household page of the household with the longest history. `measure()` returns one dict per page (page,
path, p50_ms, p95_ms, queries, status) for the bench harness; `python -m benchmarks.pages` prints them.

Each page is rendered in this process by Django's test client (DEBUG off, second factor off for this
process only), after one untimed request that warms the templates and the connection; p50 and p95 of
`repeat` requests, the queries of one more request (CaptureQueriesContext). Not a test: nothing fails
on a slow machine, the figures are read.

Demo mode (`--demo`, or no DATABASE_URL): the casework, queue and bilan pages on the soak test's demo
database (SOAK_DATABASE_URL), including writes (a contact, a stage), as before.
"""

import argparse
import os
import statistics
import time
from datetime import date

TARGET_MS = 150
TARGET_QUERIES = 10
COORDINATOR = "banc-files"
CASEWORKER = "banc-referent"
# Pathways the stage timing moves on, filled by _demo_pages().
WAITING: list[tuple[int, str]] = []
STAGE_WRITES = 30


def _configure() -> None:
    """Django set up once (or already by the caller), production-like: DEBUG off, no second factor, the
    start's objects frozen as the web server's are (project.startup.settle)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    os.environ["SERVE_STATIC_FROM_APPS"] = "true"
    os.environ.setdefault("SECRET_KEY", "bench-pages")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("SECURE_COOKIES", "false")
    import django
    from django.apps import apps

    if not apps.ready:
        os.environ["DEBUG"] = "false"
        django.setup()
    from django.conf import settings

    settings.DEBUG = False
    settings.SECOND_FACTOR_REQUIRED = False
    if "testserver" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    from project.startup import settle

    settle()  # as the web server's process does (project/wsgi.py)


def percentile(times: list[float], share: float) -> float:
    """The nearest-rank percentile (share in 0..1) of a non-empty list."""
    ordered = sorted(times)
    return ordered[max(0, round(share * len(ordered)) - 1)]


def time_page(client, path: str, *, repeat: int, method: str = "GET", data=None, expect: int | None = None) -> dict:
    """p50, p95 (ms) of `repeat` requests after a warm-up one, and the queries of one more request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    expect = expect or (302 if method == "POST" else 200)

    def send():
        target = path() if callable(path) else path
        payload = data() if callable(data) else data
        response = client.post(target, payload) if method == "POST" else client.get(target)
        if response.status_code != expect:
            raise SystemExit(f"réponse {response.status_code} sur {target}")
        if response.streaming:
            b"".join(response.streaming_content)
        return response

    send()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        send()
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        send()
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
        "queries": len(queries),
    }


# --- bench mode -------------------------------------------------------------------------------------


def bench_accounts():
    """The bench's coordinator (busiest département) and caseworker (its busiest structure), created once."""
    from django.db.models import Count

    from accounts.enums import Role
    from accounts.models import User
    from pathways.models import Pathway

    coordinator = User.objects.filter(username=COORDINATOR).first()
    if coordinator is None:
        busiest = Pathway.objects.values("commune__departement").annotate(n=Count("pk")).order_by("-n").first()
        if busiest is None:
            raise SystemExit("Aucun parcours dans la base : importez d'abord un dossier d'échange.")
        coordinator = User.objects.create(
            username=COORDINATOR,
            role=Role.COORDINATOR,
            territories=f"departement:{busiest['commune__departement']}",
            first_name="Banc",
            last_name="Coordination",
        )
    caseworker = User.objects.filter(username=CASEWORKER).first()
    if caseworker is None:
        structure = (
            Pathway.objects.visible_to(coordinator)
            .values("referent_structure")
            .annotate(n=Count("pk"))
            .order_by("-n")
            .first()["referent_structure"]
        )
        caseworker = User.objects.create(
            username=CASEWORKER, role=Role.CASEWORKER, first_name="Banc", last_name="Référent"
        )
        caseworker.structures.add(structure)
    return coordinator, caseworker


def bench_pages(coordinator, caseworker) -> list[tuple]:
    """(account, label, path) of every page timed in bench mode."""
    from django.db.models import Count

    from pathways.models import Pathway, Transition

    visible = Pathway.objects.visible_to(coordinator)
    structure = visible.values("referent_structure").annotate(n=Count("pk")).order_by("-n").first()
    commune = visible.values("commune").annotate(n=Count("pk")).order_by("-n").first()["commune"]
    epci = visible.values("commune__epci").annotate(n=Count("pk")).order_by("-n").first()["commune__epci"]
    # The household with the longest history among the coordinator's (its page reads it all).
    longest = (
        Transition.objects.filter(pathway__in=visible.filter(stage="oriente").values("pk")[:2000])
        .values("pathway__household")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()["pathway__household"]
    )
    own = Pathway.objects.visible_to(caseworker).order_by("-pk").values_list("household", flat=True).first()
    queue = "/coordination/files/"
    return [
        (coordinator, "Vue d'ensemble", "/coordination/"),
        (coordinator, "File d'attente", f"{queue}?tri=attente_desc"),
        (coordinator, "File : demande", f"{queue}?etape=demande"),
        (coordinator, "File : demande, page 500", f"{queue}?etape=demande&page=500"),
        (coordinator, "File : orienté, priorité", f"{queue}?etape=oriente&tri=priorite_desc"),
        (coordinator, "File : DALO", f"{queue}?dalo=oui"),
        (coordinator, "File : structure", f"{queue}?structure={structure['referent_structure']}"),
        (coordinator, "File : commune", f"{queue}?commune={commune}"),
        (coordinator, "File : EPCI", f"{queue}?epci={epci}"),
        (coordinator, "File : situation (rue)", f"{queue}?situation=sans_abri"),
        (coordinator, "File : composition", f"{queue}?composition=famille_monoparentale"),
        (coordinator, "File : attente > 1 an", f"{queue}?attente_min=365"),
        (coordinator, "File : bloqués", f"{queue}?bloques=on"),
        (coordinator, "File : attente courte, p. 200", f"{queue}?tri=attente_asc&page=200"),
        (coordinator, "Suivi des logés", "/coordination/suivi-loges/?tri=attente_desc"),
        (coordinator, "Parcours bloqués", "/coordination/bloques/"),
        (coordinator, "Parcours bloqués, page 300", "/coordination/bloques/?page=300"),
        (coordinator, "Parcours du territoire", "/parcours/"),
        (coordinator, "Parcours du territoire, p. 400", "/parcours/?page=400"),
        (caseworker, "Mes parcours (référent)", "/parcours/"),
        (coordinator, "Fiche d'un ménage", f"/menages/{longest}/"),
        (caseworker, "Fiche d'un ménage (référent)", f"/menages/{own}/"),
    ]


def measure(*, repeat: int = 20, only: list[str] | None = None) -> list[dict]:
    """Time every bench page on the configured database (DATABASE_URL); one dict per page with the keys
    page, path, p50_ms, p95_ms, queries. `only`: labels to keep (all when None)."""
    _configure()
    from django.test import Client

    coordinator, caseworker = bench_accounts()
    results = []
    clients = {}
    for user, label, path in bench_pages(coordinator, caseworker):
        if only and label not in only:
            continue
        if user.pk not in clients:
            clients[user.pk] = Client()
            clients[user.pk].force_login(user)
        results.append({"page": label, "path": path, **time_page(clients[user.pk], path, repeat=repeat)})
    return results


def print_table(results: list[dict], *, title: str) -> None:
    print(title)
    print(f"  {'page':<34} {'p50':>8} {'p95':>8} {'requêtes':>9}  cible p95 {TARGET_MS} ms, {TARGET_QUERIES} requêtes")
    for row in results:
        ok = row["p95_ms"] <= TARGET_MS and row["queries"] <= TARGET_QUERIES
        print(
            f"  {row['page']:<34} {row['p50_ms']:>5.0f} ms {row['p95_ms']:>5.0f} ms {row['queries']:>9}"
            f"  {'ok' if ok else 'au-dessus'}"
        )


def bench_main(args) -> int:
    _configure()
    from django.db import connection

    from pathways.models import Pathway

    load = os.getloadavg()
    results = measure(repeat=args.repeat, only=args.page or None)
    coordinator, _ = bench_accounts()
    total = Pathway.objects.count()
    in_scope = Pathway.objects.visible_to(coordinator).count()
    after = os.getloadavg()
    print_table(
        results,
        title=(
            f"Pages de coordination ({connection.vendor}, {total} parcours dont {in_scope} dans le territoire "
            f"de {COORDINATOR} ; charge avant {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, "
            f"après {after[0]:.2f} {after[1]:.2f} {after[2]:.2f}) :"
        ),
    )
    return 0


# --- demo mode --------------------------------------------------------------------------------------


def _fresh_pathways(user, structure, *, count: int) -> list[int]:
    from django.utils import timezone

    from pathways import services

    today = timezone.localdate()
    pks = []
    for number in range(count):
        household = services.household_create(
            composition="personne_seule",
            adults=1,
            children=0,
            members=[{"last_name": "BANC", "first_name": f"Essai {number}", "relationship": "reference"}],
            by=user,
        )
        pathway = services.pathway_open(
            household=household,
            structure=structure,
            commune=structure.commune,
            opened_on=today,
            by=user,
            stage="reperage",
        )
        pks.append(pathway.pk)
    return pks


def _finished_run(user):
    """The administrator's latest finished bilan, computed first (in this process) when there is none."""
    from reports.models import BilanRun
    from reports.services import bilan_run_request
    from territories.territory import parse_territory

    runs = BilanRun.objects.visible_to(user).filter(status="done").order_by("-pk")
    if not runs.exists():
        # The first plan, 2018-2022, of the administrator's territory.
        territory = parse_territory(user.territories)
        # Without REDIS_URL the task runs in this process as soon as the request is committed.
        bilan_run_request(territory=territory, start=date(2018, 1, 1), end=date(2022, 12, 31), by=user)
    return runs.first()


def _demo_pages():
    """(account, label, method, path, data or a function giving fresh data, casework page?)"""
    from accounts.models import User
    from pathways.models import Pathway

    referent = User.objects.get(username="referent")
    coordination = User.objects.get(username="coordination")
    administration = User.objects.get(username="administration")
    mine = Pathway.objects.visible_to(referent).order_by("pk")
    pathway = mine.first()
    coordinated = Pathway.objects.visible_to(coordination).order_by("-pk").first()
    run = _finished_run(administration)
    today = date.today().isoformat()

    def contact():
        prefix = f"contact{pathway.pk}"
        version = Pathway.objects.values_list("version", flat=True).get(pk=pathway.pk)
        return {f"{prefix}-version": version, f"{prefix}-kind": "telephone", f"{prefix}-date": today}

    # A stage recorded per request: each takes one of the households this bench opens for it (through the
    # services, as the new-household form does), at "repérage", and moves it to "demande".
    structure = referent.structures.order_by("pk").first()
    waiting = WAITING
    waiting[:] = [(pk, "reperage") for pk in _fresh_pathways(referent, structure, count=STAGE_WRITES)]
    moves = {"reperage": "demande"}

    def stage():
        pk, current = waiting.pop()
        prefix = f"etape{pk}"
        version = Pathway.objects.values_list("version", flat=True).get(pk=pk)
        return {f"{prefix}-version": version, f"{prefix}-stage": moves[current], f"{prefix}-date": today}

    pages = [
        (referent, "Mes parcours", "GET", "/parcours/", None, True),
        (referent, "Recherche par nom", "GET", "/parcours/?q=martin", None, True),
        (referent, "Fiche d'un ménage", "GET", f"/menages/{pathway.household_id}/", None, True),
        (referent, "Modifier un ménage", "GET", f"/menages/{pathway.household_id}/modifier/", None, True),
        (referent, "Nouveau ménage", "GET", "/menages/nouveau/", None, True),
        (referent, "Enregistrer un contact", "POST", f"/parcours/{pathway.pk}/contact/", contact, True),
        (referent, "Enregistrer une étape", "POST", lambda: f"/parcours/{waiting[-1][0]}/etape/", stage, True),
        (coordination, "Vue d'ensemble", "GET", "/coordination/", None, True),
        (coordination, "File d'attente", "GET", "/coordination/files/", None, True),
        (coordination, "File filtrée (demande)", "GET", "/coordination/files/?etape=demande", None, True),
        (coordination, "Parcours bloqués", "GET", "/coordination/bloques/", None, True),
        (coordination, "Orienter", "GET", f"/coordination/parcours/{coordinated.pk}/orienter/", None, True),
        (coordination, "Transférer", "GET", f"/coordination/parcours/{coordinated.pk}/transferer/", None, True),
        (administration, "Liste des bilans", "GET", "/bilans/", None, False),
    ]
    if run is not None:
        pages += [
            (administration, "Page d'un bilan", "GET", f"/bilans/{run.pk}/", None, False),
            (administration, "Bilan PDF", "GET", f"/bilans/{run.pk}/bilan.pdf", None, False),
        ]
    return pages


def demo_main(args) -> int:
    from benchmarks.soak import DEFAULT_URL, _env, prepare

    url = os.environ.get("SOAK_DATABASE_URL", DEFAULT_URL)
    prepare(url, fresh=args.fresh)
    os.environ.update(_env(url))
    _configure()
    from django.db import connection
    from django.test import Client

    load = os.getloadavg()
    print(f"Temps serveur des pages (démo, {connection.vendor}, charge {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}) :")
    print(f"  {'page':<28} {'médiane':>8} {'p95':>8} {'requêtes':>9}  cible {TARGET_MS} ms")
    over = []
    for user, label, method, path, data, casework in _demo_pages():
        if label == "Enregistrer une étape" and len(WAITING) < args.repeat + 2:
            print(f"  {label:<28} (--repeat au plus {STAGE_WRITES - 2} pour cette page)")
            continue
        client = Client()
        client.force_login(user)
        row = time_page(client, path, repeat=args.repeat, method=method, data=data)
        median = row["p50_ms"]
        verdict = ("ok" if median <= TARGET_MS else "au-dessus") if casework else "—"
        if casework and median > TARGET_MS:
            over.append(label)
        print(f"  {label:<28} {median:>6.0f} ms {row['p95_ms']:>5.0f} ms {row['queries']:>9}  {verdict}")
    load = os.getloadavg()
    print(f"  (charge après : {load[0]:.2f} {load[1]:.2f} {load[2]:.2f})")
    if over:
        print("Pages de saisie au-dessus de la cible : " + ", ".join(over))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description="Temps serveur des pages (base de banc d'essai, ou démo).")
    parser.add_argument("--repeat", type=int, default=None, help="Requêtes chronométrées par page.")
    parser.add_argument("--demo", action="store_true", help="Les pages de saisie sur la démo (SOAK_DATABASE_URL).")
    parser.add_argument("--fresh", action="store_true", help="Mode démo : recréer la base de démonstration d'abord.")
    parser.add_argument("--page", action="append", help="Mode banc : seulement cette page (répétable).")
    args = parser.parse_args()
    if args.demo or not os.environ.get("DATABASE_URL"):
        args.repeat = args.repeat or 15
        return demo_main(args)
    args.repeat = args.repeat or 20
    return bench_main(args)


if __name__ == "__main__":
    raise SystemExit(main())
