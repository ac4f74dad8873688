"""benchmarks/generate.py: the synthetic exchange folder of `make bench` (counts, volumes, determinism,
histories that the importer accepts)."""

import csv
from datetime import date

import pytest

from benchmarks.generate import generate
from pathways.enums import TRANSITIONS

TODAY = date(2026, 12, 2)


def _rows(folder, name):
    with open(folder / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _bytes(folder):
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_counts_match_the_files_and_the_issue_volumes(tmp_path):
    counts = generate(tmp_path, 3000, seed=7, today=TODAY, prefix="t-")
    for name, count in counts.items():
        assert len(_rows(tmp_path, name)) == count, name
    assert counts["households.csv"] == counts["pathways.csv"] == 3000
    # Issue 10's measurement: 5.4 transitions, 2 situations and 2 contacts per pathway on average.
    assert 5.2 <= counts["transitions.csv"] / 3000 <= 5.6
    assert 1.9 <= counts["situations.csv"] / 3000 <= 2.1
    assert 1.9 <= counts["contacts.csv"] / 3000 <= 2.1
    assert 0.4 <= counts["measures.csv"] / 3000 <= 0.6
    assert counts["labels.csv"] == 5
    assert all(row["id"].startswith("t-") for row in _rows(tmp_path, "pathways.csv"))


def test_same_seed_same_bytes_other_seed_other_data(tmp_path):
    generate(tmp_path / "a", 500, seed=3, today=TODAY)
    generate(tmp_path / "b", 500, seed=3, today=TODAY)
    generate(tmp_path / "c", 500, seed=4, today=TODAY)
    assert _bytes(tmp_path / "a") == _bytes(tmp_path / "b")
    assert _bytes(tmp_path / "a")["transitions.csv"] != _bytes(tmp_path / "c")["transitions.csv"]


def test_histories_follow_the_stage_machine_and_never_reach_the_future(tmp_path):
    generate(tmp_path, 800, seed=1, today=date(2019, 6, 30))
    previous = {}
    for row in _rows(tmp_path, "transitions.csv"):
        on = date.fromisoformat(row["date"])
        assert on <= date(2019, 6, 30)
        if row["pathway"] in previous:
            stage, day = previous[row["pathway"]]
            assert row["stage"] in TRANSITIONS[stage], (stage, row["stage"])
            assert on >= day
        assert bool(row["housing_kind"]) == (row["stage"] == "bail_signe")
        previous[row["pathway"]] = (row["stage"], on)
    for name, column in (("situations.csv", "since"), ("contacts.csv", "date"), ("measures.csv", "started_on")):
        assert all(date.fromisoformat(row[column]) <= date(2019, 6, 30) for row in _rows(tmp_path, name)), name


@pytest.mark.django_db
def test_the_importer_accepts_the_folder(tmp_path):
    from django.core.management import call_command

    from pathways.models import Pathway, Transition
    from territories.geography import load_geography

    load_geography()
    counts = generate(tmp_path, 60, seed=2, today=TODAY, prefix="imp-")
    call_command("import_exchange", str(tmp_path), verbosity=0)
    assert Pathway.objects.filter(external_id__startswith="imp-").count() == 60
    assert Transition.objects.filter(pathway__external_id__startswith="imp-").count() == counts["transitions.csv"]
