"""Backup and restore round trip (benchmarks.backup_restore): a copy restored from `pg_dump -Fc` holds the
same rows, gives the same bilan and passes check_integrity."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.backup_restore import (
    Reading,
    backup_restore_check,
    database_name,
    differences,
    read,
    with_database,
)

URL = os.environ.get("DATABASE_URL", "")
BASE_DIR = Path(__file__).resolve().parent.parent


def reading(**changes) -> Reading:
    values = {
        "counts": {"pathways_pathway": 3, "pathways_transition": 9},
        "bilan": {"territory": {"code": "region:93"}, "indicators": {"menages_loges": 2, "delai_moyen": 41.5}},
        "integrity_ok": True,
    }
    values.update(changes)
    return Reading(**values)


def test_an_identical_copy_has_no_difference():
    assert differences(reading(), reading()) == []


def test_a_lost_row_a_changed_figure_and_a_broken_copy_are_each_reported():
    copy = reading(
        counts={"pathways_pathway": 3, "pathways_transition": 8},
        bilan={"territory": {"code": "region:93"}, "indicators": {"menages_loges": 1, "delai_moyen": 41.5}},
        integrity_ok=False,
        integrity={"checks": [{"label": "Parcours sans aucune étape", "count": 1}]},
    )

    assert differences(reading(), copy) == [
        "pathways_transition : 9 lignes à la source, 8 dans la copie",
        "indicateur menages_loges : 2 à la source, 1 dans la copie",
        "contrôle de cohérence de la copie en échec : Parcours sans aucune étape",
    ]


def test_the_target_database_name_replaces_only_the_name():
    url = "postgres://u:p@db.example:5433/parcours?sslmode=require"

    assert with_database(url, "copie") == "postgres://u:p@db.example:5433/copie?sslmode=require"
    assert database_name(url) == "parcours"


def test_restoring_over_the_source_is_refused(tmp_path):
    with pytest.raises(ValueError, match="distincte"):
        backup_restore_check(
            source="postgres://u@h/parcours",
            target="parcours",
            dump_path=tmp_path / "d",
            territory="france",
            start="2018-01-01",
            end="2022-12-31",
        )


def test_a_crashed_integrity_check_is_an_error_not_a_report(monkeypatch):
    """check_integrity exits 1 both on inconsistencies and on a traceback: only the first has a report."""
    import benchmarks.backup_restore as module

    monkeypatch.setattr(module, "_psql", lambda url, sql: "")
    crashed = subprocess.CompletedProcess([], 1, stdout="", stderr="ProgrammingError: column c.updated_by_id")
    monkeypatch.setattr(module, "_manage", lambda url, *args, check=True: crashed)

    with pytest.raises(RuntimeError, match="check_integrity n'a pas abouti sur parcours : .*updated_by_id"):
        read("postgres://u@h/parcours", territory="france", start="2018-01-01", end="2022-12-31")


def manage(url: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("REDIS_URL", None)
    subprocess.run([sys.executable, "manage.py", *args], env=env, cwd=BASE_DIR, check=True, capture_output=True)


def psql(url: str, sql: str) -> str:
    done = subprocess.run(["psql", url, "-tAc", sql], check=True, capture_output=True, text=True)
    return done.stdout.strip()


@pytest.mark.postgres_only
@pytest.mark.skipif(not URL.startswith("postgres"), reason="Sauvegarde PostgreSQL : DATABASE_URL PostgreSQL.")
def test_a_small_demo_survives_dump_and_restore(tmp_path):
    """Its own two databases, named after DATABASE_URL's (parcours_h8 -> parcours_h8_backup_src...)."""
    prefix = database_name(URL)
    source = with_database(URL, f"{prefix}_backup_src")
    target = f"{prefix}_backup_restored"
    maintenance = with_database(URL, "postgres")
    psql(maintenance, f'DROP DATABASE IF EXISTS "{database_name(source)}" WITH (FORCE)')
    psql(maintenance, f'CREATE DATABASE "{database_name(source)}"')
    manage(source, "migrate", "--noinput", "-v0")
    manage(source, "load_geography")
    manage(source, "seed_demo", "--households", "40")
    lines = []

    found = backup_restore_check(
        source=source,
        target=target,
        dump_path=tmp_path / "parcours.dump",
        territory="region:93",
        start="2018-01-01",
        end="2022-12-31",
        out=lines.append,
    )

    assert found == [], lines
    assert lines[-1].startswith("OK : mêmes lignes"), lines
    restored = with_database(URL, target)
    assert int(psql(restored, "SELECT COUNT(*) FROM pathways_pathway")) == 40
    assert psql(restored, "SELECT COUNT(*) FROM pathways_transition") == psql(
        source, "SELECT COUNT(*) FROM pathways_transition"
    )
    # The copy is a separate database: a change to it leaves the source as it was, and is then caught.
    psql(restored, "DELETE FROM pathways_contact WHERE id = (SELECT MIN(id) FROM pathways_contact)")
    before = read(source, territory="region:93", start="2018-01-01", end="2022-12-31")
    after = read(restored, territory="region:93", start="2018-01-01", end="2022-12-31")
    assert any(line.startswith("pathways_contact :") for line in differences(before, after))
    assert any(v for v in before.bilan["indicators"].values()), "bilan vide : la comparaison ne prouverait rien"
    for name in (database_name(source), target):
        psql(maintenance, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
