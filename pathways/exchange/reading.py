"""Reading an exchange folder (or .zip): CSV files, separators, encodings, and cell formats.

Parsers return (value, error): the error is a French message meant for the person who made the
spreadsheet, reported as `file:line: column: message` by the importer.
"""

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path


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
    """One CSV file: its header and its data rows as (line, {column: text}), line 1 being the header."""

    name: str
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    # Required columns absent from the header: already reported once, not again on every row.
    missing: set[str] = field(default_factory=set)


class SourceError(ValueError):
    """The folder or archive cannot be opened at all (French message)."""


def read_source(path: str | Path) -> dict[str, bytes]:
    """The files of a folder or a .zip, by base name (an archive may hold the folder itself)."""
    path = Path(path)
    if path.is_dir():
        return {p.name: p.read_bytes() for p in sorted(path.iterdir()) if p.is_file()}
    if path.is_file() and zipfile.is_zipfile(path):
        files = {}
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                name = Path(info.filename).name
                if info.is_dir() or info.filename.startswith("__MACOSX/") or not name or name.startswith("."):
                    continue
                files[name] = archive.read(info)
        return files
    if path.exists():
        raise SourceError(f"« {path} » n'est ni un dossier ni une archive .zip.")
    raise SourceError(f"« {path} » est introuvable.")


def _separator(header_line: str) -> str:
    return ";" if header_line.count(";") > header_line.count(",") else ","


def read_table(name: str, data: bytes, *, known: tuple[str, ...], required: tuple[str, ...]) -> tuple[Table, list]:
    """Decode and split one file; header problems are returned as errors on line 1."""
    errors: list[RowError] = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return Table(name, []), [RowError(name, 1, "-", "Le fichier n'est pas encodé en UTF-8.")]
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_separator(first_line))
    header = next(reader, None)
    if not header or not any(cell.strip() for cell in header):
        return Table(name, []), [RowError(name, 1, "-", "Fichier vide : la ligne d'en-tête manque.")]
    columns = [cell.strip() for cell in header]
    seen = set()
    for column in columns:
        if column in seen:
            errors.append(RowError(name, 1, column, "Colonne en double."))
        elif column not in known:
            errors.append(
                RowError(name, 1, column or "-", f"Colonne inconnue. Colonnes possibles : {', '.join(known)}.")
            )
        seen.add(column)
    missing = {c for c in required if c not in seen}
    errors.extend(RowError(name, 1, c, "Colonne obligatoire absente.") for c in required if c in missing)
    table = Table(name, columns, missing=missing)
    width = len(columns)
    for line, cells in enumerate(reader, start=2):
        if not any(cells):
            continue
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            errors.append(RowError(name, line, "-", f"{len(cells)} valeurs pour {width} colonnes."))
            continue
        table.rows.append((line, {column: cell.strip() for column, cell in zip(columns, cells, strict=False)}))
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
