"""The import by buckets (pathways/exchange/partition.py): a folder cut into many buckets is imported
exactly as in one piece (rows, read model, counts, errors), and a bucket holds what its checks need."""

import csv
import io
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from django.db import transaction

from benchmarks.generate import generate
from facts.models import ActiveSpan, Event, StageSpan
from pathways.exchange import formats
from pathways.exchange.importer import import_exchange
from pathways.exchange.partition import PHASES, bucket_of, split_phase
from pathways.exchange.reading import read_source
from pathways.exchange.validation import Validator
from pathways.models import Contact, Measure, Member, Pathway, Situation, Transition
from territories.geography import load_geography

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def geography(db):
    """The generated folders name communes all over région 93."""
    load_geography()


TODAY = date(2026, 12, 2)
# A few kilobytes: the 300 pathways of these tests go into dozens of buckets.
SMALL = 4000


def _snapshot() -> dict[str, object]:
    """Everything the import writes, without the primary keys (they differ from one run to the next)."""
    external = dict(Pathway.objects.values_list("pk", "external_id"))

    def facts(model, *fields):
        return Counter(
            (external[pathway], *rest) for pathway, *rest in model.objects.values_list("pathway_id", *fields)
        )

    return {
        "pathways": set(
            Pathway.objects.values_list(
                "external_id",
                "household__external_id",
                "referent_structure__external_id",
                "commune_id",
                "opened_on",
                "dalo",
                "stage",
                "stage_on",
                "last_activity_on",
                "current_situation",
                "current_situation_since",
                "household_composition",
                "version",
            )
        ),
        "transitions": set(
            Transition.objects.values_list(
                "pathway__external_id",
                "seq",
                "stage",
                "date",
                "housing_kind",
                "housing_commune_id",
                "landlord__external_id",
                "reason",
                "next_stage",
                "next_date",
                "dwelling_kind",
                "dwelling_commune_id",
            )
        ),
        "situations": Counter(Situation.objects.values_list("pathway__external_id", "situation", "since")),
        "contacts": Counter(Contact.objects.values_list("pathway__external_id", "date", "kind")),
        "measures": set(
            Measure.objects.values_list(
                "external_id", "pathway__external_id", "kind", "provider__external_id", "started_on", "ended_on"
            )
        ),
        "members": Counter(
            Member.objects.values_list(
                "household__external_id", "relationship", "last_name", "first_name", "birth_date"
            )
        ),
        "events": facts(
            Event, "kind", "date", "year", "end_date", "situation_group", "lease_kind", "cancelled", "persons", "region"
        ),
        "stage_spans": facts(StageSpan, "stage", "valid_from", "valid_to", "dalo", "commune", "epci"),
        "active_spans": facts(ActiveSpan, "valid_from", "valid_to", "entry", "exit", "composition"),
    }


def _import_and_forget(files, settings, bucket_bytes):
    """Import `files` with buckets of `bucket_bytes`, note what it wrote, then roll it back."""
    settings.IMPORT_BUCKET_BYTES = bucket_bytes
    with transaction.atomic():
        report = import_exchange(files, today=TODAY)
        seen = (report, _snapshot())
        transaction.set_rollback(True)
    return seen


def _counts(report):
    return {name: str(counts) for name, counts in report.counts.items()}


def _files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def _edited(files: dict[str, bytes], name: str, edit) -> dict[str, bytes]:
    """`files` with the rows of `name` passed through `edit(rows) -> rows` (dicts, header kept)."""
    reader = csv.DictReader(io.StringIO(files[name].decode()))
    rows = edit(list(reader))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=reader.fieldnames, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return {**files, name: out.getvalue().encode()}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("generated")
    generate(folder, 300, seed=11, today=TODAY, prefix="b-")
    return _files(folder)


def test_many_buckets_write_what_one_bucket_writes(generated, settings):
    one_report, one = _import_and_forget(generated, settings, 10**9)
    many_report, many = _import_and_forget(generated, settings, SMALL)
    assert one_report.ok and many_report.ok
    assert one["pathways"] and one["events"] and one["stage_spans"]
    assert many == one
    assert _counts(many_report) == _counts(one_report)


def test_an_update_and_a_second_import_by_buckets_match_one_bucket(generated, settings):
    def reopen(rows):
        for row in rows[::7]:
            row["dalo"] = "true" if row["dalo"] == "false" else "false"
        return rows

    def shorten(rows):
        dropped = {row["pathway"] for row in rows[::11]}
        return [row for row in rows if row["pathway"] not in dropped or row["kind"] != "telephone"]

    changed = _edited(_edited(generated, formats.PATHWAYS.name, reopen), formats.CONTACTS.name, shorten)
    results = []
    for bucket_bytes in (10**9, SMALL):
        settings.IMPORT_BUCKET_BYTES = bucket_bytes
        with transaction.atomic():
            assert import_exchange(generated, today=TODAY).ok
            again = import_exchange(generated, today=TODAY)
            update = import_exchange(changed, today=TODAY)
            results.append((_counts(again), _counts(update), _snapshot()))
            transaction.set_rollback(True)
    (again, update, state), (again_many, update_many, state_many) = results
    assert all(", 0 créé(s)" not in text or text.startswith("0 créé(s), 0 mis à jour") for text in again.values())
    assert again_many == again
    assert update_many == update
    assert state_many == state


def test_errors_are_the_same_whatever_the_buckets(generated, settings):
    pathways = list(csv.DictReader(io.StringIO(generated[formats.PATHWAYS.name].decode())))
    first, second, third = pathways[3], pathways[150], pathways[270]

    def bad_households(rows):
        for row in rows:
            if row["id"] == first["household"]:
                row["adults"] = "0"  # its pathway must not be reported for an unknown household
        return rows

    def bad_pathways(rows):
        for row in rows:
            if row["id"] == second["id"]:
                row["household"] = "inconnu"
        return [*rows, dict(third)]  # a duplicated id, at the end of the file

    def bad_transitions(rows):
        for row in rows:
            if row["pathway"] == third["id"]:
                row["stage"] = "nulle_part"
        return rows

    files = _edited(generated, formats.HOUSEHOLDS.name, bad_households)
    files = _edited(files, formats.PATHWAYS.name, bad_pathways)
    files = _edited(files, formats.TRANSITIONS.name, bad_transitions)
    reports = [_import_and_forget(files, settings, size)[0] for size in (10**9, SMALL)]
    one, many = ([str(error) for error in report.errors] for report in reports)
    assert many == one
    assert reports[0].counts == reports[1].counts == {}
    assert any("adults" in error for error in one)
    assert any(f"pathways.csv:{len(pathways) + 2}: id: Identifiant « {third['id']} » en double" in e for e in one)
    assert any("Ménage inconnu : « inconnu »" in error for error in one)
    assert sum("nulle_part" in error for error in one) >= 1
    assert not any(f"« {first['household']} »" in error for error in one)
    assert Pathway.objects.count() == 0


def test_a_bucket_holds_a_pathway_with_all_its_rows(tmp_path, settings):
    generate(tmp_path, 200, seed=5, today=TODAY, prefix="k-")
    settings.IMPORT_BUCKET_BYTES = SMALL
    files = read_source(tmp_path)
    phase = PHASES[2]
    split = split_phase(files, phase, tmp_path, lambda: None)
    assert split.count > 10
    assert len(split.defined["pathway"]) == 200
    for bucket in range(split.count):
        tables = split.tables(bucket)
        pathways = {tables[formats.PATHWAYS.name].cell(row, "id") for row in tables[formats.PATHWAYS.name].rows}
        assert all(bucket_of(pathway, split.count) == bucket for pathway in pathways)
        for name in (formats.SITUATIONS.name, formats.TRANSITIONS.name, formats.CONTACTS.name):
            table = tables[name]
            assert {table.cell(row, "pathway") for row in table.rows} <= pathways, name
            lines = [row[0] for row in table.rows]
            assert lines == sorted(lines), name


def test_the_scratch_files_are_deleted(generated, settings, tmp_path):
    settings.IMPORT_BUCKET_BYTES = SMALL
    settings.IMPORT_SCRATCH_DIR = str(tmp_path)
    with transaction.atomic():
        assert import_exchange(generated, today=TODAY).ok
        transaction.set_rollback(True)
    assert list(tmp_path.iterdir()) == []


def test_each_validation_holds_one_bucket_not_the_folder(generated, settings, monkeypatch):
    """What the import holds at once is one bucket's rows (then the writer's rows of that bucket): with
    buckets of a few kilobytes, no validation gets more than a small share of the folder's rows. (The
    memory itself is measured by `make bench`: docs/performance.md.)"""
    settings.IMPORT_BUCKET_BYTES = SMALL
    sizes = []
    original = Validator.__init__

    def counting(self, tables, **kwargs):
        sizes.append(sum(len(table.rows) for table in tables.values()))
        original(self, tables, **kwargs)

    monkeypatch.setattr(Validator, "__init__", counting)
    with transaction.atomic():
        assert import_exchange(generated, today=TODAY).ok
        transaction.set_rollback(True)
    total = sum(len(data.splitlines()) - 1 for data in generated.values())
    assert sum(sizes) == total
    assert len(sizes) > 20
    assert max(sizes) < total / 10, (max(sizes), total)
