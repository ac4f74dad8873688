"""`make bench [PATHWAYS=N] [ENGINE=postgresql|sqlite]`: one run on the same data, side by side (issue 10):
import rate and peak memory, the product's bilan (command and background run) cold and warm, two figures
by hand-written SQL (benchmarks/hand_sql.py) with the ratio and whether the values agree, the queue pages
(benchmarks/pages.py), the drill-down pages, the places pages (benchmarks/places_pages.py), the monthly
steering (benchmarks/steering_bench.py).

    python -m benchmarks.run [--pathways 20000] [--engine postgresql|sqlite] [--seed 1] [--reuse]
                             [--soak-duration 0]

A fresh database each time (PostgreSQL: BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/parcours_bench, dropped and created; SQLite: BENCH_SQLITE_PATH, default
bench-data/bench-<N>.sqlite3), migrated, with the geography; `--reuse` keeps a database already loaded.
Every measure runs in its own process; the import's peak memory is that process's (os.wait4). Prints a
Markdown table with the load average (os.getloadavg, as `uptime`) next to each block, and writes
benchmarks/results/<engine>-<N>.json. A measure that cannot run says « non mesuré » with the reason,
never a figure.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/parcours_bench"
ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
TERRITORY, START, END = "region:93", "2018-01-01", "2022-12-31"
TODAY = "2026-12-01"  # the generated histories stop here, so that a seed gives the same data any day
NOT_MEASURED = "non mesuré"


# The measures after the import, in the order of a run (--blocks picks some of them).
BLOCKS = ("bilan", "sql", "pages", "drilldown", "places", "steering")


def load() -> str:
    return " / ".join(f"{value:.2f}" for value in os.getloadavg())


class Bench:
    def __init__(self, env: dict):
        self.env = env
        self.rows: list[dict] = []
        self.details: dict = {}

    def row(self, block: str, what: str, value: str, target: str = "", **data) -> None:
        self.rows.append({"block": block, "what": what, "value": value, "target": target, "load": load(), **data})
        print(f"  [{block}] {what} : {value}" + (f" (cible {target})" if target else ""), flush=True)

    def process(self, args: list[str], *, env: dict | None = None) -> tuple[int, str, float, float]:
        """(exit status, stdout and the last line of stderr, seconds, peak memory in MB) of a child process;
        `env`: variables that differ from the bench's."""
        print("$", " ".join(args), flush=True)
        started = time.monotonic()
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            child = subprocess.Popen(args, env={**self.env, **(env or {})}, cwd=ROOT, stdout=out, stderr=err, text=True)
            _, status, usage = os.wait4(child.pid, 0)
            child.returncode = os.waitstatus_to_exitcode(status)
            elapsed = time.monotonic() - started
            out.seek(0)
            err.seek(0)
            text, errors = out.read(), err.read()
        if errors.strip():
            sys.stderr.write(errors[-4000:])
            if child.returncode:
                text += "\n" + errors.strip().splitlines()[-1]
        return child.returncode, text, elapsed, usage.ru_maxrss / 1024

    def json_of(self, args: list[str]) -> tuple[dict | list | None, str, float]:
        """The last JSON line a measure printed, or (None, reason)."""
        status, text, _, peak = self.process(args)
        lines = [line for line in text.splitlines() if line.startswith(("{", "["))]
        if status != 0 or not lines:
            return None, f"échec (code {status}) : {text.strip()[-300:]}", peak
        return json.loads(lines[-1]), "", peak


def _prepare(bench: Bench, args, python: str) -> None:
    if args.engine == "postgresql":
        name = bench.env["DATABASE_URL"].rsplit("/", 1)[1]
        if not args.reuse:
            subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", name], check=True)
            subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    elif not args.reuse:
        path = Path(bench.env["SQLITE_PATH"])
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    for command in (["migrate", "--noinput", "-v0"], ["load_geography"]):
        status, text, _, _ = bench.process([python, "manage.py", *command])
        if status:
            raise SystemExit(f"{' '.join(command)} : échec\n{text}")


def _import(bench: Bench, args, python: str) -> None:
    block = "import"
    with tempfile.TemporaryDirectory(prefix="parcours-bench-") as folder:
        status, text, seconds, peak = bench.process(
            [
                python,
                "-m",
                "benchmarks.generate",
                folder,
                "--pathways",
                str(args.pathways),
                "--seed",
                str(args.seed),
                "--today",
                TODAY,
                "--prefix",
                "bench-",
            ]
        )
        if status:
            raise SystemExit(f"génération : échec\n{text}")
        bench.row(block, "génération du dossier", f"{seconds:.1f} s, {peak:.0f} Mo", seconds=seconds, peak_mb=peak)
        # As in production, DEBUG off: with DEBUG on, Django keeps the text of the last 9,000 queries.
        status, text, seconds, peak = bench.process(
            [python, "manage.py", "import_exchange", folder],
            env={"DEBUG": "false", "SECRET_KEY": "bench", "ALLOWED_HOSTS": "localhost"},
        )
    if status:
        bench.row(block, "import_exchange", f"{NOT_MEASURED} : échec (code {status}) {text.strip()[-300:]}")
        raise SystemExit("import en échec : rien à mesurer")
    rate = args.pathways / seconds
    bench.row(
        block,
        "import_exchange, débit",
        f"{rate:,.0f} parcours/s ({seconds:.1f} s)".replace(",", " "),
        "≥ 5 000 parcours/s",
        seconds=seconds,
        rate=rate,
    )
    bench.row(block, "import_exchange, mémoire maximale", f"{peak:.0f} Mo", "≤ 1 Go", peak_mb=peak)
    if args.engine == "postgresql":
        # Fresh statistics for the planner, as an operator's routine after a bulk load would give.
        subprocess.run(["psql", bench.env["DATABASE_URL"], "-qc", "VACUUM ANALYZE"], check=False)


def _bilan(bench: Bench, python: str) -> dict | None:
    block = "bilan"
    values = None
    result, error, peak = bench.json_of([python, "-m", "benchmarks.bilan_bench", "command"])
    if result is None:
        bench.row(block, "commande bilan", f"{NOT_MEASURED} : {error}")
    else:
        values = result["values"]
        bench.row(block, "commande bilan, à froid", f"{result['cold_s']:.3f} s", "≤ 1 s", seconds=result["cold_s"])
        bench.row(block, "commande bilan, à chaud", f"{result['warm_s']:.3f} s", "≤ 1 s", seconds=result["warm_s"])
        bench.details["bilan_values"] = values
    for label in ("à froid", "à chaud"):
        result, error, peak = bench.json_of([python, "-m", "benchmarks.bilan_bench", "run"])
        if result is None or result["status"] != "done":
            reason = error or f"statut {result['status']} : {result['error']}"
            bench.row(block, f"calcul en arrière-plan, {label}", f"{NOT_MEASURED} : {reason}")
            continue
        bench.row(
            block, f"calcul en arrière-plan, {label}", f"{result['seconds']:.2f} s", "≤ 5 s", seconds=result["seconds"]
        )
        bench.row(
            block, f"calcul en arrière-plan, {label}, mémoire maximale", f"{peak:.0f} Mo", "≤ 500 Mo", peak_mb=peak
        )
        bench.row(
            block,
            f"calcul en arrière-plan, {label}, stockage du détail",
            f"{result['storage_bytes'] / 1e6:.2f} Mo ({result['figures']} chiffres)",
            "≤ 50 Mo",
            bytes=result["storage_bytes"],
        )
        if values is not None:
            differ = [c for c, v in result["total"].items() if v is not None and values.get(c) != v]
            bench.row(
                block,
                f"calcul en arrière-plan, {label} = commande",
                "oui" if not differ else f"non : {', '.join(differ)}",
            )
    result, error, _ = bench.json_of([python, "-m", "benchmarks.bilan_bench", "indicators"])
    if result is None:
        bench.row(block, "indicateurs un par un", f"{NOT_MEASURED} : {error}")
    else:
        bench.details["indicators"] = result["indicators"]
        slowest = max(result["indicators"].items(), key=lambda item: item[1]["seconds"])
        bench.row(
            block, "indicateur le plus lent, seul", f"{slowest[0]} {slowest[1]['seconds'] * 1000:.0f} ms", "≤ 100 ms"
        )
    return values


def _hand_sql(bench: Bench, python: str, values: dict | None) -> None:
    block = "SQL écrit à la main"
    result, error, _ = bench.json_of([python, "-m", "benchmarks.hand_sql", "--json"])
    if result is None:
        bench.row(block, "deux indicateurs", f"{NOT_MEASURED} : {error}")
        return
    for code, figure in result.items():
        cold, warm = figure["seconds"][0], figure["seconds"][-1]
        product = (values or {}).get(code)
        agree = (
            "valeur du produit inconnue"
            if values is None
            else ("égales" if product == figure["value"] else f"DIFFÉRENTES (produit {product})")
        )
        bench.row(
            block,
            code,
            f"{figure['value']} ; {cold:.3f} s à froid, {warm:.3f} s à chaud ; {agree}",
            value_sql=figure["value"],
            value_product=product,
            seconds=figure["seconds"],
        )
        mine = (bench.details.get("indicators") or {}).get(code)
        if mine:
            ratio = mine["seconds"] / warm if warm else None
            bench.row(
                block,
                f"{code}, produit / SQL à la main",
                f"{mine['seconds'] * 1000:.0f} ms / {warm * 1000:.0f} ms = {ratio:.2f}" if ratio else NOT_MEASURED,
                "< 1",
                ratio=ratio,
            )


def _pages(bench: Bench, python: str, module: str, block: str) -> None:
    code = f"import json; from {module} import measure; print(json.dumps(measure()))"
    result, error, _ = bench.json_of([python, "-c", code])
    if not result:
        bench.row(block, module, f"{NOT_MEASURED} : {error or 'aucune page'}")
        return
    for page in result:
        bench.row(
            block,
            page["page"],
            f"p50 {page['p50_ms']:.0f} ms, p95 {page['p95_ms']:.0f} ms, {page['queries']} requêtes"
            + (f", {page['candidates']} ménages conviennent" if "candidates" in page else ""),
            "p95 ≤ 150 ms, ≤ 10 requêtes",
            **page,
        )


def _drilldown(bench: Bench, python: str) -> None:
    block = "détail d'un chiffre"
    result, error, _ = bench.json_of([python, "-m", "benchmarks.bilan_bench", "drilldown"])
    if result is None or "error" in result:
        bench.row(block, "page de détail", f"{NOT_MEASURED} : {error or result['error']}")
        return
    for page in result["pages"]:
        if "error" in page:
            bench.row(block, page["page"], f"{NOT_MEASURED} : {page['error']}")
        else:
            bench.row(
                block,
                page["page"],
                f"p50 {page['p50_ms']:.0f} ms, p95 {page['p95_ms']:.0f} ms, {page['queries']} requêtes"
                + (f", {page['candidates']} ménages conviennent" if "candidates" in page else ""),
                "p95 ≤ 150 ms",
                **page,
            )


def _steering(bench: Bench, python: str) -> None:
    block = "pilotage"
    code = "import json; from benchmarks.steering_bench import measure; print(json.dumps(measure()))"
    result, error, _ = bench.json_of([python, "-c", code])
    if not result:
        bench.row(block, "flux mensuels", f"{NOT_MEASURED} : {error}")
        return
    flows, returns, page = result
    bench.row(
        block,
        flows["page"],
        f"froid {flows['cold_ms']:.0f} ms, chaud {flows['warm_ms']:.0f} ms, équilibre "
        + ("vérifié" if flows["balanced"] else "NON vérifié"),
        "≤ 1 s",
        **flows,
    )
    bench.row(block, returns["page"], f"{returns['cold_ms']:.0f} ms, {returns['move_ins']} entrées", **returns)
    bench.row(
        block,
        page["page"],
        f"p50 {page['p50_ms']:.0f} ms, p95 {page['p95_ms']:.0f} ms, {page['queries']} requêtes",
        **page,
    )


def markdown(bench: Bench, args) -> str:
    count = f"{args.pathways:,}".replace(",", " ")
    lines = [f"## Banc d'essai : {count} parcours, {args.engine}, graine {args.seed}", ""]
    lines += ["| bloc | mesure | valeur | cible | charge (1/5/15 min) |", "|---|---|---|---|---|"]
    for row in bench.rows:
        value = str(row["value"]).replace("|", "\\|").replace("\n", " ")
        lines.append(f"| {row['block']} | {row['what']} | {value} | {row['target']} | {row['load']} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description="Banc d'essai du passage à l'échelle (issue 10).")
    parser.add_argument("--pathways", type=int, default=int(os.environ.get("PATHWAYS") or 20_000))
    parser.add_argument("--engine", choices=["postgresql", "sqlite"], default=os.environ.get("ENGINE") or "postgresql")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reuse", action="store_true", help="Garder la base déjà chargée (pas d'import).")
    parser.add_argument(
        "--soak-duration",
        type=int,
        default=int(os.environ.get("SOAK_DURATION") or 0),
        help="Durée de l'essai d'endurance en secondes (0 : pas d'essai).",
    )
    parser.add_argument(
        "--blocks",
        default=",".join(BLOCKS),
        help=f"Blocs à mesurer, séparés par des virgules, parmi {', '.join(BLOCKS)} (par défaut : tous).",
    )
    args = parser.parse_args()
    blocks = set(args.blocks.split(","))
    if unknown := blocks - set(BLOCKS):
        parser.error(f"bloc inconnu : {', '.join(sorted(unknown))}")
    python = sys.executable
    env = {**os.environ, "DEBUG": "true", "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("REDIS_URL", None)
    env.pop("DATABASE_REPLICA_URL", None)
    if args.engine == "postgresql":
        env["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    else:
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = os.environ.get(
            "BENCH_SQLITE_PATH", str(ROOT / f"bench-data/bench-{args.pathways}.sqlite3")
        )
    bench = Bench(env)
    started = date.today().isoformat()
    print(f"Charge avant : {load()}", flush=True)
    _prepare(bench, args, python)
    if not args.reuse:
        _import(bench, args, python)
    values = _bilan(bench, python) if "bilan" in blocks else None
    if "sql" in blocks:
        _hand_sql(bench, python, values)
    if "pages" in blocks:
        _pages(bench, python, "benchmarks.pages", "files d'attente")
    if "drilldown" in blocks:
        _drilldown(bench, python)
    if "places" in blocks:
        _pages(bench, python, "benchmarks.places_pages", "places")
    if "steering" in blocks:
        _steering(bench, python)
    if args.soak_duration:
        bench.process([python, "-m", "benchmarks.soak", "--duration", str(args.soak_duration)])
    table = markdown(bench, args)
    print()
    print(table)
    RESULTS.mkdir(exist_ok=True)
    # A partial run (--blocks) keeps the file of the full run: its name says which blocks it holds.
    partial = "" if blocks == set(BLOCKS) else "-" + "-".join(b for b in BLOCKS if b in blocks)
    path = RESULTS / f"{args.engine}-{args.pathways}{partial}.json"
    document = {
        "pathways": args.pathways,
        "engine": args.engine,
        "seed": args.seed,
        "date": started,
        "rows": bench.rows,
        "details": bench.details,
    }
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"Résultats : {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
