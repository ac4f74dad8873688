"""Soak test: gunicorn + PostgreSQL on loopback, 10 clients of mixed reads and writes for a bounded time.

    python -m benchmarks.soak [--duration 120] [--clients 10] [--workers 3] [--fresh]

Uses SOAK_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/parcours_soak), created if needed,
migrated, with the geography and the demo (`seed_demo`); `--fresh` recreates it first. Starts gunicorn
on 127.0.0.1 (production settings: DEBUG off), signs each client in as a demo account (`referent`
clients read and write, `coordination` clients read the queues and the bilans), then reports:

- requests, requests per second, p50/p95/p99 per kind of request, errors (any 4xx/5xx or failed
  connection: there must be none);
- writes accepted (redirect after POST) against the rows stored since the start, per kind: they must match;
  writes refused by the application (a stale form, a date already taken) are counted apart;
- `check_integrity` on the database afterwards;
- where the time goes on each page: SQL queries and their time, measured in this process.

Exit status 1 on any error, any mismatch between accepted writes and stored rows, or any inconsistency.
"""

import argparse
import cProfile
import datetime
import http.client
import io
import os
import pstats
import random
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/parcours_soak"
PASSWORD = "demo-parcours-2026"
WRITE_KINDS = ("contact", "situation", "etape")
WARMUP_SECONDS = 10
# Tables and filters that count the rows each kind of write stores.
STORED = {"contact": "pathways_contact", "situation": "pathways_situation", "etape": "pathways_transition"}
CONTACT_KINDS = ("entretien", "telephone", "visite", "courrier")
SITUATIONS = ("chez_tiers", "hotel_115", "chrs", "rue", "chu")


def _env(url: str, port: int | None = None) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "soak-" + secrets.token_hex(16)),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        # Plain HTTP on loopback: no TLS redirect, no secure-only cookies.
        "SECURE_COOKIES": "false",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    return env


def _run(args: list[str], env: dict) -> None:
    print("$", " ".join(args), flush=True)
    subprocess.run(args, env=env, cwd=BASE_DIR, check=True, stdout=subprocess.DEVNULL)


def _psql(url: str, sql: str) -> str:
    done = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-tAc", sql], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"psql : {done.stderr.strip()}")
    return done.stdout.strip()


def prepare(url: str, *, fresh: bool) -> None:
    base, _sep, name = url.rpartition("/")
    maintenance = f"{base}/postgres"
    if fresh:
        _psql(maintenance, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    if not _psql(maintenance, f"SELECT 1 FROM pg_database WHERE datname = '{name}'"):
        _psql(maintenance, f'CREATE DATABASE "{name}"')
    env = {**_env(url), "DEBUG": "true"}
    python = sys.executable
    _run([python, "manage.py", "migrate", "--noinput", "-v0"], env)
    _run([python, "manage.py", "load_geography"], env)
    _run([python, "manage.py", "seed_demo"], env)


# -- the HTTP client ------------------------------------------------------------------------------------


class Session:
    """One signed-in browser: a keep-alive connection and its cookies."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, path: str, data: dict | None = None) -> tuple[int, str, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # gunicorn closed the idle keep-alive connection: reconnect once, as a browser does.
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt == 2:
                    raise
        for header in response.msg.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        return response.status, response.getheader("Location", ""), text

    def sign_in(self, username: str) -> None:
        status, _location, page = self.request("GET", "/connexion/")
        token = _csrf(page)
        status, location, page = self.request(
            "POST",
            "/connexion/",
            {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD},
        )
        if status != 302:
            raise SystemExit(f"Connexion de {username} refusée ({status}) : {page[:300]}")


def _csrf(page: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not found:
        raise SystemExit("Jeton CSRF introuvable dans la page.")
    return found.group(1)


# -- the clients ---------------------------------------------------------------------------------------


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    # (seconds, kind, path, seconds since the start) of every request, to name the slowest.
    timeline: list[tuple[float, str, str, float]] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    errors: list[str] = field(default_factory=list)
    accepted: Counter = field(default_factory=Counter)
    refused: Counter = field(default_factory=Counter)
    stale: Counter = field(default_factory=Counter)
    refusals: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, seconds: float, status: int, detail: str = "") -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            self.timeline.append((seconds, kind, detail, time.monotonic() - seconds - self.started))
            if status >= 400:
                self.errors.append(f"{kind} {status} {detail}")


HOUSEHOLD_LINK = re.compile(r'href="/menages/(\d+)/')
# The text of a field's error message (DSFR: fr-error-text, fr-message--error).
ERROR_TEXT = re.compile(r'class="[^"]*error[^"]*"[^>]*>([^<]+)<')


class Client(threading.Thread):
    def __init__(self, number: int, username: str, port: int, deadline: float, results: Results):
        super().__init__(daemon=True, name=f"client-{number}")
        self.username, self.port, self.deadline, self.results = username, port, deadline, results
        # A new draw each run: the same dates as an earlier run would collide with its stored situations.
        self.random = random.Random(f"{number}-{time.time_ns()}")
        self.households: list[int] = []

    def timed(self, kind: str, method: str, path: str, data: dict | None = None) -> tuple[int, str, str]:
        started = time.monotonic()
        try:
            status, location, page = self.session.request(method, path, data)
        except OSError as error:
            self.results.record(kind, time.monotonic() - started, 599, f"{path} {error}")
            return 599, "", ""
        self.results.record(kind, time.monotonic() - started, status, path)
        return status, location, page

    def run(self) -> None:
        self.session = Session(self.port)
        try:
            self.session.sign_in(self.username)
        except (OSError, SystemExit) as error:
            self.results.record("connexion", 0, 599, str(error))
            return
        while time.monotonic() < self.deadline:
            if self.username == "coordination":
                self.coordinate()
            else:
                self.casework()

    def read_list(self, kind: str, path: str) -> None:
        status, _location, page = self.timed(kind, "GET", path)
        found = [int(pk) for pk in HOUSEHOLD_LINK.findall(page)]
        if found:
            self.households = found

    def coordinate(self) -> None:
        roll = self.random.random()
        if roll < 0.35 or not self.households:
            self.read_list("file d'attente", f"/coordination/files/?page={self.random.randint(1, 3)}")
        elif roll < 0.55:
            self.read_list("parcours bloqués", "/coordination/bloques/")
        elif roll < 0.75:
            self.timed("liste des bilans", "GET", "/bilans/")
        else:
            self.timed("fiche ménage", "GET", f"/menages/{self.random.choice(self.households)}/")

    def casework(self) -> None:
        roll = self.random.random()
        if roll < 0.35 or not self.households:
            self.read_list("liste des parcours", f"/parcours/?page={self.random.randint(1, 3)}")
            return
        household = self.random.choice(self.households)
        status, _location, page = self.timed("fiche ménage", "GET", f"/menages/{household}/")
        if roll < 0.6 or status != 200:
            return
        versions = re.findall(r'name="contact(\d+)-version"[^>]*value="(\d+)"', page)
        if not versions:
            return
        pathway, version = self.random.choice(versions)
        token = _csrf(page)
        kind = self.random.choices(WRITE_KINDS, weights=(5, 2, 3))[0]
        today = datetime.date.today()
        if kind == "contact":
            prefix = f"contact{pathway}"
            fields = {"kind": self.random.choice(CONTACT_KINDS), "date": today.isoformat(), "note": "Soak"}
        elif kind == "situation":
            prefix = f"situation{pathway}"
            since = today - datetime.timedelta(days=self.random.randint(0, 2000))
            fields = {"situation": self.random.choice(SITUATIONS), "since": since.isoformat()}
        else:
            prefix = f"etape{pathway}"
            stage = self.next_stage(page, prefix)
            if not stage:
                return
            fields = {"stage": stage, "date": today.isoformat(), "reason": ""}
        data = {"csrfmiddlewaretoken": token, f"{prefix}-version": version}
        data.update({f"{prefix}-{name}": value for name, value in fields.items()})
        url = {"contact": "contact", "situation": "situation", "etape": "etape"}[kind]
        status, _location, answer = self.timed(f"écriture {kind}", "POST", f"/parcours/{pathway}/{url}/", data)
        with self.results.lock:
            if status == 302:
                self.results.accepted[kind] += 1
            elif status == 200:
                # The page again: another client changed the pathway since our read, or a field is refused.
                self.results.refused[kind] += 1
                if "modifié entre-temps" in answer:
                    self.results.stale[kind] += 1
                elif len(self.results.refusals) < 5:
                    messages = [m.strip() for m in ERROR_TEXT.findall(answer) if m.strip()]
                    self.results.refusals.append(f"{kind} : {' / '.join(messages) or 'sans message'}")

    def next_stage(self, page: str, prefix: str) -> str:
        """A stage the page offers that needs no further field (no lease, no orientation)."""
        select = re.search(rf'<select name="{prefix}-stage"[^>]*>(.*?)</select>', page, re.S)
        if not select:
            return ""
        offered = [s for s in re.findall(r'value="(\w+)"', select.group(1)) if s not in ("bail_signe", "oriente")]
        # Closing most pathways would leave nothing to write on: prefer the moves forward.
        forward = [s for s in offered if s not in ("perdu_de_vue", "renonciation", "hors_territoire", "deces")]
        return self.random.choice(forward or offered) if offered else ""


# -- the run -------------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def start_gunicorn(url: str, port: int, workers: int, threads: int, logs: Path) -> subprocess.Popen:
    """gunicorn as in production (sync workers unless `threads` > 1), logging each request's own time
    (%(D)s, microseconds, from the worker's first byte read to its last byte written) to tell the time
    spent serving from the time spent waiting for a free worker."""
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    args = [
        gunicorn,
        "project.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        str(logs / "access.log"),
        "--access-logformat",
        "%(m)s %(U)s %(s)s %(D)s",
        "--error-logfile",
        str(logs / "error.log"),
    ]
    if threads > 1:
        args += ["--worker-class", "gthread", "--threads", str(threads)]
    # Logs to files, not to a pipe nobody reads: a full pipe would stall the workers.
    server = subprocess.Popen(args, env=_env(url), cwd=BASE_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/connexion/")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            pass
        if server.poll() is not None:
            raise SystemExit(f"gunicorn s'est arrêté : {(logs / 'error.log').read_text()[-2000:]}")
        time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn ne répond pas sur /connexion/.")


# The kind of a request, from its method and path: the clients' labels, for gunicorn's access log.
KINDS = [
    ("GET", re.compile(r"^/parcours/$"), "liste des parcours"),
    ("GET", re.compile(r"^/menages/\d+/$"), "fiche ménage"),
    ("GET", re.compile(r"^/coordination/files/$"), "file d'attente"),
    ("GET", re.compile(r"^/coordination/bloques/$"), "parcours bloqués"),
    ("GET", re.compile(r"^/bilans/$"), "liste des bilans"),
    ("POST", re.compile(r"^/parcours/\d+/contact/$"), "écriture contact"),
    ("POST", re.compile(r"^/parcours/\d+/situation/$"), "écriture situation"),
    ("POST", re.compile(r"^/parcours/\d+/etape/$"), "écriture etape"),
]


def server_times(access_log: Path) -> dict[str, list[float]]:
    """Seconds each request spent in a gunicorn worker, by kind (sign-ins and others left out)."""
    times: dict[str, list[float]] = defaultdict(list)
    for line in access_log.read_text().splitlines():
        parts = line.split()
        if len(parts) != 4:
            continue
        method, path, _status, micros = parts
        kind = next((k for m, pattern, k in KINDS if m == method and pattern.match(path)), None)
        if kind:
            times[kind].append(int(micros) / 1e6)
    return times


def stored_rows(url: str, since: str) -> dict[str, int]:
    users = "(SELECT id FROM accounts_user WHERE username = 'referent')"
    return {
        kind: int(
            _psql(url, f"SELECT COUNT(*) FROM {table} WHERE recorded_at >= '{since}' AND recorded_by_id IN {users}")
        )
        for kind, table in STORED.items()
    }


def where_time_goes(url: str) -> list[str]:
    """Render each page once in this process with Django's test client: total time, SQL queries and
    their time, the slowest query. The difference between total and SQL is Python (views, templates)."""
    os.environ.update(_env(url))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from pathways.models import Pathway

    lines = []
    referent, coordination = User.objects.get(username="referent"), User.objects.get(username="coordination")
    household = Pathway.objects.visible_to(referent).order_by("pk").values_list("household_id", flat=True).first()
    pages = [
        (referent, "liste des parcours", "/parcours/"),
        (referent, "fiche ménage", f"/menages/{household}/"),
        (coordination, "file d'attente", "/coordination/files/"),
        (coordination, "parcours bloqués", "/coordination/bloques/"),
        (coordination, "liste des bilans", "/bilans/"),
    ]
    slowest_page, slowest_total = None, 0.0
    for user, label, path in pages:
        browser = DjangoClient()
        browser.force_login(user)
        browser.get(path)  # warm caches (templates, connection)
        started = time.monotonic()
        with CaptureQueriesContext(connection) as queries:
            status = browser.get(path).status_code
        total = time.monotonic() - started
        sql = sum(float(q["time"]) for q in queries.captured_queries)
        slowest = max(queries.captured_queries, key=lambda q: float(q["time"]), default={"sql": "", "time": "0"})
        lines.append(
            f"  {label} ({status}) : {total * 1000:.0f} ms dont SQL {sql * 1000:.0f} ms en {len(queries)} requêtes ; "
            f"la plus lente {float(slowest['time']) * 1000:.0f} ms : {slowest['sql'][:120]}"
        )
        if total > slowest_total:
            slowest_page, slowest_total = (browser, label, path), total
    browser, label, path = slowest_page
    profile = cProfile.Profile()
    profile.runcall(browser.get, path)
    buffer = io.StringIO()
    pstats.Stats(profile, stream=buffer).sort_stats("tottime").print_stats(12)
    lines.append(f"Profil de la page la plus lente ({label}), fonctions par temps propre :")
    lines += [f"    {line.strip()}" for line in buffer.getvalue().splitlines() if re.match(r"\s*\d", line)]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description="Essai d'endurance : gunicorn + PostgreSQL, lectures et écritures.")
    parser.add_argument("--duration", type=int, default=120, help="Durée en secondes (120 par défaut).")
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--coordinators", type=int, default=3, help="Parmi les clients, combien de « coordination ».")
    parser.add_argument("--workers", type=int, default=3, help="Processus gunicorn (3, comme docker-compose).")
    parser.add_argument("--threads", type=int, default=1, help="Fils par processus (au-delà de 1 : gthread).")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--fresh", action="store_true", help="Recréer la base avant l'essai.")
    args = parser.parse_args()
    url = os.environ.get("SOAK_DATABASE_URL", DEFAULT_URL)
    prepare(url, fresh=args.fresh)
    since = _psql(url, "SELECT now()")
    before = stored_rows(url, since)
    load_before = os.getloadavg()
    logs = Path(tempfile.mkdtemp(prefix="soak-"))
    server = start_gunicorn(url, args.port, args.workers, args.threads, logs)
    results = Results()
    try:
        started = time.monotonic()
        deadline = started + args.duration
        clients = [
            Client(i, "coordination" if i < args.coordinators else "referent", args.port, deadline, results)
            for i in range(args.clients)
        ]
        for client in clients:
            client.start()
        for client in clients:
            client.join(timeout=args.duration + 120)
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    after = stored_rows(url, since)
    load = os.getloadavg()
    total = sum(len(v) for v in results.latencies.values())
    print(
        f"\nEssai d'endurance : {args.clients} clients ({args.coordinators} coordination), {args.workers} processus "
        f"gunicorn{f' de {args.threads} fils' if args.threads > 1 else ''}, {elapsed:.0f} s ; charge moyenne de la "
        f"machine (1, 5, 15 min) {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f} avant, "
        f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f} après (2 cœurs : au-delà de 2, les processus attendent le processeur)"
    )
    print(f"{total} requêtes, {total / elapsed:.1f} requêtes/s, {len(results.errors)} erreur(s)")
    served = server_times(logs / "access.log")
    shutil.rmtree(logs, ignore_errors=True)
    print("Temps vu du client (attente d'un processus libre comprise), puis temps passé dans gunicorn :")
    print(
        f"  {'requête':<22} {'nombre':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
        f" | {'serveur p50':>11} {'p95':>6} {'p99':>6}"
    )
    every = [s for values in results.latencies.values() for s in values]
    every_served = [s for values in served.values() for s in values]
    for kind, values in [*sorted(results.latencies.items()), ("toutes", every)]:
        inside = every_served if kind == "toutes" else served.get(kind, [])
        print(
            f"  {kind:<22} {len(values):>7} {percentile(values, 0.5) * 1000:>8.0f} "
            f"{percentile(values, 0.95) * 1000:>8.0f} {percentile(values, 0.99) * 1000:>8.0f}"
            f" | {percentile(inside, 0.5) * 1000:>11.0f} {percentile(inside, 0.95) * 1000:>6.0f}"
            f" {percentile(inside, 0.99) * 1000:>6.0f}"
        )
    # The first requests of each worker compile templates and fill caches while all the clients start
    # at once: the slowest requests of a run are there, not in the steady state.
    steady = [seconds for seconds, _kind, _path, at in results.timeline if at >= WARMUP_SECONDS]
    print(
        f"  {'toutes après ' + str(WARMUP_SECONDS) + ' s':<22} {len(steady):>7} {percentile(steady, 0.5) * 1000:>8.0f} "
        f"{percentile(steady, 0.95) * 1000:>8.0f} {percentile(steady, 0.99) * 1000:>8.0f}"
    )
    print("Les 5 requêtes les plus lentes (vues du client) :")
    for seconds, kind, path, at in sorted(results.timeline, reverse=True)[:5]:
        print(f"  {seconds * 1000:>6.0f} ms  {kind} {path} (partie à {at:.0f} s)")
    failed = bool(results.errors)
    for error in results.errors[:10]:
        print(f"  erreur : {error}")
    print("Écritures acceptées (redirection) = lignes enregistrées :")
    for kind in WRITE_KINDS:
        stored = after[kind] - before[kind]
        same = stored == results.accepted[kind]
        failed |= not same
        print(
            f"  {kind:<10} acceptées {results.accepted[kind]:>5}, enregistrées {stored:>5} "
            f"{'OK' if same else 'ÉCART'} ; refusées par l'application {results.refused[kind]} "
            f"(dont {results.stale[kind]} sur un formulaire périmé)"
        )
    for refusal in results.refusals:
        print(f"  refus : {refusal}")
    integrity = subprocess.run(
        [sys.executable, "manage.py", "check_integrity"], env=_env(url), cwd=BASE_DIR, capture_output=True, text=True
    )
    print(integrity.stdout.strip())
    failed |= integrity.returncode != 0
    print("Où va le temps (chaque page rendue une fois, hors charge) :")
    for line in where_time_goes(url):
        print(line)
    print("RÉSULTAT :", "ÉCHEC" if failed else "OK")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
