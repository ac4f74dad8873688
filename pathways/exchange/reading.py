"""Reading an exchange folder (or .zip): CSV files, separators, encodings, and cell formats.

Parsers return (value, error): the error is a French message meant for the person who made the
spreadsheet, reported as `file:line: column: message` by the importer.
"""

import csv
import io
import itertools
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import BinaryIO

from django.conf import settings


@dataclass(frozen=True)
class RowError:
    file: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.column}: {self.message}"


@dataclass
class Table:
    """One CSV file: its header and its data rows, line 1 being the header. Each row is one tuple
    (line, cell, cell, ...) of the known columns only, at `positions[column]`: a tuple per row rather
    than a dict keeps a file of millions of rows to about a third of the memory."""

    name: str
    columns: list[str]
    positions: dict[str, int] = field(default_factory=dict)
    rows: list[tuple] = field(default_factory=list)
    # Required columns absent from the header: already reported once, not again on every row.
    missing: set[str] = field(default_factory=set)

    def cell(self, row: tuple, column: str) -> str:
        """The text of `column` in `row` ("" for a column the file does not have)."""
        position = self.positions.get(column)
        return row[position] if position is not None else ""


DEFAULT_MAX_ERRORS = 1000


def max_errors() -> int:
    return getattr(settings, "IMPORT_MAX_ERRORS", DEFAULT_MAX_ERRORS)


class ErrorList(list):
    """Row errors: the first `limit` are kept (and shown), the others only counted, so that a file with
    a million bad columns neither fills the memory nor renders a page of a hundred megabytes."""

    def __init__(self, limit: int | None = None):
        super().__init__()
        self.limit = max_errors() if limit is None else limit
        self.dropped = 0

    def append(self, error: RowError) -> None:
        if len(self) < self.limit:
            super().append(error)
        else:
            self.dropped += 1

    def extend(self, errors) -> None:
        for error in errors:
            self.append(error)
        self.dropped += getattr(errors, "dropped", 0)

    @property
    def total(self) -> int:
        return len(self) + self.dropped


class SourceError(ValueError):
    """The folder or archive cannot be opened at all (French message)."""


def megabytes(size: int) -> str:
    """'50 Mo', '11,4 Mo': as a French reader writes sizes."""
    text = f"{size / (1024 * 1024):.1f}".removesuffix(".0")
    return text.replace(".", ",") + " Mo"


READ_CHUNK = 1024 * 1024


def _unpack(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int, limit: int, source: str) -> bytes:
    """One member of an archive, read by chunks and counted: the sizes an archive declares may lie."""
    parts = []
    with archive.open(info) as member:
        while chunk := member.read(min(READ_CHUNK, budget + 1)):
            budget -= len(chunk)
            if budget < 0:
                raise SourceError(
                    f"L'archive « {source} » contient plus de {megabytes(limit)} une fois décompressée : "
                    "c'est la limite. Déposez-la en plusieurs fois."
                )
            parts.append(chunk)
    return b"".join(parts)


class FolderFiles(Mapping):
    """The files of a folder by name, read only when asked for: the importer streams each one from disk
    (`open`) instead of holding a whole folder of CSV files in memory."""

    def __init__(self, paths: dict[str, Path]):
        self.paths = paths

    def __getitem__(self, name: str) -> bytes:
        return self.paths[name].read_bytes()

    def __iter__(self):
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)

    def open(self, name: str) -> BinaryIO:
        return self.paths[name].open("rb")


def read_source(path: str | Path, *, max_unpacked: int | None = None, name: str | None = None) -> Mapping[str, bytes]:
    """The files of a folder or a .zip, by base name (an archive may hold the folder itself).
    `max_unpacked`: the most bytes an archive may unpack to, counted as they are read (an archive whose
    headers lie about its sizes is stopped there); `name`: the archive's name in the messages."""
    path = Path(path)
    if path.is_dir():
        return FolderFiles({p.name: p for p in sorted(path.iterdir()) if p.is_file()})
    if path.is_file() and zipfile.is_zipfile(path):
        files = {}
        budget = max_unpacked
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                member = Path(info.filename).name
                if info.is_dir() or info.filename.startswith("__MACOSX/") or not member or member.startswith("."):
                    continue
                if budget is None:
                    files[member] = archive.read(info)
                    continue
                files[member] = _unpack(archive, info, budget, max_unpacked, name or path.name)
                budget -= len(files[member])
        return files
    if path.exists():
        raise SourceError(f"« {path} » n'est ni un dossier ni une archive .zip.")
    raise SourceError(f"« {path} » est introuvable.")


def _separator(header_line: str) -> str:
    return ";" if header_line.count(";") > header_line.count(",") else ","


class _NulCharacter(Exception):
    def __init__(self, line: int):
        self.line = line


def _checked_lines(text: Iterator[str]) -> Iterator[str]:
    """The physical lines of a file, refusing a NUL character with its line number."""
    for number, physical in enumerate(text, start=1):
        if "\x00" in physical:
            raise _NulCharacter(number)
        yield physical


def open_file(files: Mapping[str, bytes], name: str) -> BinaryIO:
    """A binary stream of one file of a source: read from disk as it is parsed when the source can
    (FolderFiles), from the bytes held otherwise (an archive's members, an upload, the tests' dicts)."""
    opener = getattr(files, "open", None)
    return opener(name) if opener is not None else io.BytesIO(files[name])


def file_size(files: Mapping[str, bytes], name: str) -> int:
    """The size in bytes of one file of a source, without reading it when it lies on disk."""
    paths = getattr(files, "paths", None)
    return paths[name].stat().st_size if paths is not None else len(files[name])


def read_table(
    name: str,
    data: bytes | BinaryIO,
    *,
    known: tuple[str, ...],
    required: tuple[str, ...],
    sink: Callable[[Table], Callable[[tuple], None]] | None = None,
) -> tuple[Table, list]:
    """Decode and split one file as a stream (never the whole text in memory); header problems are
    returned as errors on line 1. An undecodable or binary file is reported alone, as one error.

    `sink`: called with the table once its header is read, returns the function that takes each row
    tuple instead of the table (the importer's buckets, pathways/exchange/partition.py). When the file
    turns out undecodable, the table returned has no columns, and the rows already given must be
    dropped."""
    stream = io.BytesIO(data) if isinstance(data, bytes | bytearray | memoryview) else data
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        return _read_rows(name, _checked_lines(text), known=known, required=required, sink=sink)
    except UnicodeDecodeError:
        return Table(name, []), [RowError(name, 1, "-", "Le fichier n'est pas encodé en UTF-8.")]
    except _NulCharacter as nul:
        # No spreadsheet writes a NUL character in a CSV file, and the database refuses it in text.
        message = "Caractère nul (octet 0) : ce n'est pas un fichier CSV texte. Enregistrez-le au format CSV UTF-8."
        return Table(name, []), [RowError(name, nul.line, "-", message)]
    finally:
        text.detach()


def _read_rows(name: str, lines: Iterator[str], *, known, required, sink) -> tuple[Table, list]:
    errors = ErrorList()
    first_line = next(lines, "")
    reader = csv.reader(itertools.chain([first_line], lines), delimiter=_separator(first_line))
    header = next(reader, None)
    if not header or not any(cell.strip() for cell in header):
        return Table(name, []), [RowError(name, 1, "-", "Fichier vide : la ligne d'en-tête manque.")]
    columns = [cell.strip() for cell in header]
    seen = set()
    unknown = f"Colonne inconnue. Colonnes possibles : {', '.join(known)}."
    for column in columns:
        if column in seen:
            errors.append(RowError(name, 1, column, "Colonne en double."))
        elif column not in known:
            errors.append(RowError(name, 1, column or "-", unknown))
        seen.add(column)
    missing = {c for c in required if c not in seen}
    errors.extend(RowError(name, 1, c, "Colonne obligatoire absente.") for c in required if c in missing)
    width = len(columns)
    # Only the known columns are kept (the last one of a duplicated name, as a dict does): the others
    # are reported above, and a file of a million columns must not make a million-cell row.
    kept = list({column: index for index, column in enumerate(columns) if column in known}.items())
    table = Table(
        name, columns, positions={column: at for at, (column, _) in enumerate(kept, start=1)}, missing=missing
    )
    indexes = [index for _, index in kept]
    keep = table.rows.append if sink is None else sink(table)
    for line, cells in enumerate(reader, start=2):
        if not any(cells):
            continue
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            errors.append(RowError(name, line, "-", f"{len(cells)} valeurs pour {width} colonnes."))
            continue
        size = len(cells)
        keep((line, *(cells[index].strip() if index < size else "" for index in indexes)))
    return table, errors


DATE_HINT = "attendu AAAA-MM-JJ ou JJ/MM/AAAA"


def parse_date(text: str) -> tuple[date | None, str]:
    if not text:
        return None, ""
    try:
        if len(text) == 10 and text[4] == "-":
            return date.fromisoformat(text), ""
        if len(text) == 10 and text[2] == "/" and text[5] == "/":
            return date(int(text[6:]), int(text[3:5]), int(text[:2])), ""
    except ValueError:
        pass
    return None, f"Date invalide : « {text} » ({DATE_HINT})."


_BOOLEANS = {"true": True, "oui": True, "1": True, "false": False, "non": False, "0": False, "": False}


def parse_bool(text: str) -> tuple[bool | None, str]:
    value = _BOOLEANS.get(text.lower())
    if value is None:
        return None, f"Valeur invalide : « {text} » (attendu oui/non, true/false ou 1/0)."
    return value, ""


def parse_int(text: str, *, minimum: int) -> tuple[int | None, str]:
    if not text:
        return None, ""
    try:
        value = int(text)
    except ValueError:
        return None, f"Nombre entier attendu : « {text} »."
    if value < minimum:
        return None, f"La valeur doit être au moins {minimum} (et non {value})."
    return value, ""
