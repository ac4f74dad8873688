"""The reader streams each file: it never asks for the whole file at once, a folder's files are read from
disk as they are parsed, and errors found deep in a large file keep their line."""

import io

from pathways.exchange import formats
from pathways.exchange.reading import FolderFiles, read_source, read_table
from pathways.models import Pathway
from tests.exchange.folders import content, write_folder
from tests.exchange.test_import import failed_import, nothing_written, run_import


class RecordingStream(io.BytesIO):
    """A file that records the largest read asked of it."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.largest = 0

    def _note(self, size):
        self.largest = max(self.largest, len(self.getbuffer()) if size is None or size < 0 else size)

    def read(self, size=-1):
        self._note(size)
        return super().read(size)

    def read1(self, size=-1):
        self._note(size)
        return super().read1(size)

    def readinto(self, buffer):
        self._note(len(buffer))
        return super().readinto(buffer)


def _contacts(rows: int) -> bytes:
    lines = ["pathway,date,kind"] + [f"P{n},2020-01-10,entretien" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def test_a_large_file_is_read_by_chunks_not_whole():
    data = _contacts(100_000)  # about 2.6 MB
    stream = RecordingStream(data)

    table, errors = read_table("contacts.csv", stream, known=formats.CONTACTS.columns, required=())

    assert errors == []
    assert len(table.rows) == 100_000
    assert table.rows[-1] == (100_001, "P99999", "2020-01-10", "entretien")
    assert 0 < stream.largest <= 64 * 1024 < len(data)


def test_rows_are_tuples_of_the_known_columns():
    data = b"pathway,extra,date,kind\nP1,x,2020-01-10,entretien\nP2\n"

    table, errors = read_table("contacts.csv", data, known=formats.CONTACTS.columns, required=())

    assert [str(e) for e in errors] == [
        "contacts.csv:1: extra: Colonne inconnue. Colonnes possibles : pathway, date, kind."
    ]
    assert table.rows == [(2, "P1", "2020-01-10", "entretien"), (3, "P2", "", "")]
    assert table.cell(table.rows[0], "kind") == "entretien"
    assert table.cell(table.rows[0], "extra") == ""


def test_a_bad_byte_past_the_first_chunk_is_still_an_encoding_error():
    data = _contacts(20_000) + "P1,2020-01-10,entretien é\n".encode("latin-1")

    table, errors = read_table("contacts.csv", data, known=formats.CONTACTS.columns, required=())

    assert [str(e) for e in errors] == ["contacts.csv:1: -: Le fichier n'est pas encodé en UTF-8."]
    assert table.rows == []


def test_a_nul_character_deep_in_a_file_keeps_its_line():
    data = _contacts(20_000) + b"P1,2020-01-10,entre\x00tien\n"

    _, errors = read_table("contacts.csv", data, known=formats.CONTACTS.columns, required=())

    assert [str(e) for e in errors] == [
        "contacts.csv:20002: -: Caractère nul (octet 0) : ce n'est pas un fichier CSV texte. "
        "Enregistrez-le au format CSV UTF-8."
    ]


def test_a_folder_is_opened_file_by_file_not_loaded(tmp_path):
    folder = write_folder(tmp_path / "in")

    files = read_source(folder)

    assert isinstance(files, FolderFiles)
    assert sorted(files) == sorted(p.name for p in folder.iterdir())
    assert files["pathways.csv"] == content("pathways.csv").encode()


def test_the_command_streams_a_folder_from_disk(geo, tmp_path, monkeypatch):
    def no_whole_file(self, name):
        raise AssertionError(f"{name} read whole")

    monkeypatch.setattr(FolderFiles, "__getitem__", no_whole_file)

    run_import(write_folder(tmp_path / "in"))

    assert Pathway.objects.count() == 2


def test_an_error_deep_in_a_large_streamed_file_carries_its_line(geo, tmp_path):
    contacts = content("contacts.csv") + "".join("P1,2020-01-10,entretien\n" for _ in range(30_000))
    contacts += "P2,2020-03-05,pigeon\n"
    folder = write_folder(tmp_path / "in", contacts_csv=contacts)

    errors, message = failed_import(folder)

    assert errors == [
        "contacts.csv:30005: kind: Type de contact inconnu : « pigeon ». Valeurs possibles : entretien, "
        "telephone, visite, courrier, autre."
    ]
    assert message == "1 erreur(s) : rien n'a été importé."
    nothing_written()
