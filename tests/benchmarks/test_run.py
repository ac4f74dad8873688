"""The bench harness (benchmarks/run.py): a measure that cannot run says « non mesuré », never a figure;
the child's figures and peak memory are read; the table keeps one line per row."""

import argparse
import os
import sys

import pytest

from benchmarks import run


def _bench():
    return run.Bench({**os.environ})


def test_a_missing_measure_is_not_measured():
    bench = _bench()
    run._pages(bench, sys.executable, "benchmarks.no_such_module", "files d'attente")
    assert len(bench.rows) == 1
    assert bench.rows[0]["value"].startswith(run.NOT_MEASURED)
    assert "ModuleNotFoundError" in bench.rows[0]["value"]


def test_pages_rows_come_from_the_child_and_its_peak_memory_is_read():
    bench = _bench()
    code = 'x = bytearray(80 * 1024 * 1024); print(\'[{"page": "A", "p50_ms": 1.5, "p95_ms": 2.5, "queries": 3}]\')'
    result, error, peak = bench.json_of([sys.executable, "-c", code])
    assert error == ""
    assert result == [{"page": "A", "p50_ms": 1.5, "p95_ms": 2.5, "queries": 3}]
    assert peak >= 80


def test_markdown_has_one_line_per_row_with_the_load():
    bench = _bench()
    bench.row("bloc", "mesure", "a | b\nc", "≤ 1 s")
    table = run.markdown(bench, argparse.Namespace(pathways=1000000, engine="sqlite", seed=1))
    lines = table.splitlines()
    assert lines[0] == "## Banc d'essai : 1 000 000 parcours, sqlite, graine 1"
    assert lines[-1].startswith("| bloc | mesure | a \\| b c | ≤ 1 s | ")
    assert lines[-1].count(" / ") == 2


def test_every_pages_module_of_the_run_has_its_measure():
    """The run imports `measure` from each pages module (the places block once said « non mesuré »)."""
    from benchmarks import pages, places_pages

    for module in (pages, places_pages):
        assert callable(module.measure)


@pytest.mark.django_db
def test_the_steering_measure_times_the_flows_of_the_busiest_region(scenario_for_steering, monkeypatch):
    """The steering block's child (benchmarks/steering_bench.py) on a small database: its three rows."""
    from django.conf import settings

    from benchmarks.steering_bench import measure

    # The measure sets the bench's settings: put back as they were after the test.
    for name in ("DEBUG", "SECOND_FACTOR_REQUIRED", "ALLOWED_HOSTS"):
        monkeypatch.setattr(settings, name, getattr(settings, name))

    flows, returns, page = measure(repeat=1)
    assert flows["page"].startswith("flux 24 mois, région 93") and flows["balanced"] is True
    assert returns["page"].startswith("retours, cohorte") and page["p95_ms"] > 0 and page["queries"] > 0


@pytest.fixture
def scenario_for_steering(geo):
    import datetime

    from tests.pathways.factories import PathwayFactory

    PathwayFactory(commune=geo.marseille, opened_on=datetime.date.today() - datetime.timedelta(days=100))
