"""`make bench`: prepare the PostgreSQL bench database, then run the import and the bilan benchmarks.

    python -m benchmarks.run [--pathways N]

Uses BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/parcours_bench), creating the database
if needed, migrating it and loading the geography. Prints the import rate and the bilan time.
"""

import argparse
import os
import subprocess
import sys

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/parcours_bench"


def _run(args: list[str], env: dict) -> None:
    print("$", " ".join(args), flush=True)
    subprocess.run(args, env=env, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description="Bancs d'essai : import de 100 000 parcours et bilan région 93.")
    parser.add_argument("--pathways", type=int, default=100_000)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "true"}
    env.pop("REDIS_URL", None)
    name = url.rsplit("/", 1)[1]
    exists = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname='{name}'"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not exists:
        _run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], env)
    python = sys.executable
    _run([python, "manage.py", "migrate", "--noinput", "-v0"], env)
    _run([python, "manage.py", "load_geography"], env)
    _run([python, "-m", "benchmarks.import_bench", "--pathways", str(args.pathways)], env)
    _run([python, "-m", "benchmarks.bilan_bench", "--runs", "3"], env)


if __name__ == "__main__":
    main()
