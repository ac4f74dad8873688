"""Backup and restore, end to end: dump a PostgreSQL database, restore it into a new one, and prove the
copy is whole (docs/exploitation.md, « Sauvegardes »).

    python -m benchmarks.backup_restore --source postgres://postgres@127.0.0.1:5432/parcours \\
        --target parcours_restauree [--dump /chemin/parcours.dump] [--territory region:93 ...]

1. `check_integrity` and a bilan (JSON) on the source, and the row count of each table;
2. `pg_dump -Fc` of the source into the dump file;
3. a new database `--target` (dropped first if it exists: never point it at a database you need),
   `pg_restore --exit-on-error` of the dump into it;
4. the same three readings on the copy, compared with the source's.

Prints a French report and exits with status 1 if anything differs or fails. Needs the PostgreSQL client
programs (pg_dump, pg_restore, psql) of the server's major version or newer.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
# The tables that hold the case records and the bilans: their row counts must survive the round trip.
TABLES = (
    "territories_commune",
    "territories_structure",
    "pathways_household",
    "pathways_member",
    "pathways_pathway",
    "pathways_transition",
    "pathways_situation",
    "pathways_contact",
    "pathways_measure",
    "pathways_assignment",
    "accounts_user",
    "audit_auditevent",
    "reports_bilanrun",
    "reports_bilanfigure",
)


@dataclass
class Reading:
    """What is compared between the source and the copy."""

    counts: dict[str, int]
    bilan: dict
    integrity_ok: bool
    integrity: dict = field(repr=False, default_factory=dict)


def with_database(url: str, name: str) -> str:
    """The same server and credentials, another database name."""
    base, _sep, rest = url.rpartition("/")
    query = rest.partition("?")[2]
    return f"{base}/{name}" + (f"?{query}" if query else "")


def database_name(url: str) -> str:
    return url.rpartition("/")[2].partition("?")[0]


def _run(args: list[str], *, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(args, env=env, cwd=BASE_DIR, capture_output=True, text=True, check=check)


def _manage(url: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("REDIS_URL", None)  # the bilan is computed in this process, not by a worker
    return _run([sys.executable, "manage.py", *args], env=env, check=check)


def _psql(url: str, sql: str) -> str:
    return _run(["psql", url, "-v", "ON_ERROR_STOP=1", "-tAc", sql]).stdout.strip()


def read(url: str, *, territory: str, start: str, end: str) -> Reading:
    existing = set(_psql(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'").split())
    counts = {}
    for table in TABLES:
        if table in existing:
            counts[table] = int(_psql(url, f"SELECT COUNT(*) FROM {table}"))
    integrity = _manage(url, "check_integrity", "--json", check=False)
    try:
        # Exit status 1 is either inconsistencies (a JSON report) or a crash (a traceback, no report).
        report = json.loads(integrity.stdout)
    except json.JSONDecodeError:
        raise RuntimeError(
            f"check_integrity n'a pas abouti sur {database_name(url)} : {integrity.stderr.strip()[-800:]}"
        ) from None
    bilan = _manage(url, "bilan", "--territory", territory, "--start", start, "--end", end, "--format", "json")
    return Reading(counts=counts, bilan=json.loads(bilan.stdout), integrity_ok=report["ok"], integrity=report)


def differences(before: Reading, after: Reading) -> list[str]:
    """French lines, one per difference between the source and the copy (empty: identical)."""
    lines = []
    for table in sorted(set(before.counts) | set(after.counts)):
        if before.counts.get(table) != after.counts.get(table):
            lines.append(
                f"{table} : {before.counts.get(table)} lignes à la source, {after.counts.get(table)} dans la copie"
            )
    old, new = before.bilan.get("indicators", {}), after.bilan.get("indicators", {})
    for code in sorted(set(old) | set(new)):
        if old.get(code) != new.get(code):
            lines.append(f"indicateur {code} : {old.get(code)} à la source, {new.get(code)} dans la copie")
    if {k: v for k, v in before.bilan.items() if k != "indicators"} != {
        k: v for k, v in after.bilan.items() if k != "indicators"
    }:
        lines.append("en-tête du bilan (territoire, période) différent")
    if not after.integrity_ok:
        failed = [c["label"] for c in after.integrity.get("checks", []) if c["count"]]
        lines.append(f"contrôle de cohérence de la copie en échec : {'; '.join(failed)}")
    return lines


def dump(url: str, path: Path) -> None:
    _run(["pg_dump", "--format=custom", "--file", str(path), url])
    # Reading the archive's table of contents proves the file is a complete custom-format dump.
    _run(["pg_restore", "--list", str(path)])


def restore(path: Path, target_url: str) -> None:
    maintenance = with_database(target_url, "postgres")
    name = database_name(target_url)
    _psql(maintenance, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _psql(maintenance, f'CREATE DATABASE "{name}"')
    _run(["pg_restore", "--exit-on-error", "--no-owner", "--no-privileges", "--dbname", target_url, str(path)])


def backup_restore_check(
    *, source: str, target: str, dump_path: Path, territory: str, start: str, end: str, out=print
) -> list[str]:
    """Run the whole round trip; return the differences (empty when the copy is whole)."""
    target_url = with_database(source, target)
    if database_name(target_url) == database_name(source):
        raise ValueError("La base de restauration doit être distincte de la base source.")
    started = time.monotonic()
    before = read(source, territory=territory, start=start, end=end)
    out(
        f"Source {database_name(source)} : {before.counts.get('pathways_pathway', 0)} parcours, "
        f"{before.counts.get('pathways_transition', 0)} changements d'étape, contrôle de cohérence "
        f"{'OK' if before.integrity_ok else 'EN ÉCHEC'}"
    )
    dump(source, dump_path)
    out(f"Sauvegarde (pg_dump -Fc) : {dump_path} ({dump_path.stat().st_size / 1e6:.1f} Mo)")
    restore(dump_path, target_url)
    out(f"Restauration (pg_restore) dans la base {target}")
    after = read(target_url, territory=territory, start=start, end=end)
    found = differences(before, after)
    if not before.integrity_ok:
        found.append("la source elle-même échoue au contrôle de cohérence (voir manage.py check_integrity)")
    compared = len(before.bilan.get("indicators", {}))
    if found:
        out("ÉCHEC : la copie diffère de la source :")
        for line in found:
            out(f"  - {line}")
    else:
        out(
            f"OK : mêmes lignes dans {len(before.counts)} tables, mêmes {compared} indicateurs du bilan "
            f"{territory} {start} – {end}, contrôle de cohérence de la copie sans incohérence "
            f"({time.monotonic() - started:.0f} s)."
        )
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Sauvegarde, restauration dans une nouvelle base et vérification.")
    parser.add_argument("--source", default=os.environ.get("DATABASE_URL", ""), help="URL de la base à sauvegarder.")
    parser.add_argument("--target", required=True, help="Nom de la base de restauration (recréée).")
    parser.add_argument("--dump", help="Fichier de sauvegarde à écrire (par défaut : un fichier temporaire).")
    parser.add_argument("--territory", default="region:93")
    parser.add_argument("--start", default="2018-01-01")
    parser.add_argument("--end", default="2022-12-31")
    args = parser.parse_args(argv)
    if not args.source.startswith(("postgres://", "postgresql://")):
        parser.error("--source (ou DATABASE_URL) doit être une URL PostgreSQL.")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.dump) if args.dump else Path(tmp) / "parcours.dump"
        try:
            found = backup_restore_check(
                source=args.source,
                target=args.target,
                dump_path=path,
                territory=args.territory,
                start=args.start,
                end=args.end,
            )
        except subprocess.CalledProcessError as error:
            print(f"ÉCHEC : {error.cmd[0]} : {error.stderr.strip()[-800:]}", file=sys.stderr)
            return 1
        except RuntimeError as error:
            print(f"ÉCHEC : {error}", file=sys.stderr)
            return 1
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
