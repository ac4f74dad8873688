"""Split an exchange folder into phases and buckets, so that the import holds one bucket at a time.

The importer reads each file once, as a stream, and writes its rows to scratch files on disk, one per
file and bucket; it then validates and writes the folder phase by phase (PHASES, in the order the
records reference each other), one bucket at a time. A bucket holds every row that its checks need
together: a pathway with its situations, transitions and contacts (bucketed by pathway id), a household
(by id), a measure (by id). The files a phase does not split go whole into its first bucket. So the
memory an import takes is that of one bucket, whatever the size of the folder, plus the sets of the ids
the folder defines (to tell a reference to a row of another phase from an unknown one).

A phase of at most IMPORT_BUCKET_BYTES bytes of CSV is one bucket: the import of a small folder is
that of the whole folder at once, as before the buckets.
"""

import math
import os
import pickle
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from pathways.exchange import formats
from pathways.exchange.reading import ErrorList, Table, file_size, open_file, read_table
from pathways.exchange.validation import REFERENCES

DEFAULT_BUCKET_BYTES = 8 * 1024 * 1024
# Rows kept in memory per scratch file before they are written out.
FLUSH_ROWS = 2000
MAX_BUCKETS = 4096


@dataclass(frozen=True)
class Phase:
    files: tuple[formats.FileFormat, ...]
    # File name -> the column whose value chooses a row's bucket; the other files go whole in bucket 0.
    keys: dict[str, str] = field(default_factory=dict)


# Each phase only references rows of the earlier ones (already written, in the same transaction) and
# its own. Sites go with the places files, which check a place's kind against its site's.
PHASES = (
    Phase((formats.STRUCTURES, formats.LABELS)),
    Phase((formats.HOUSEHOLDS,), {formats.HOUSEHOLDS.name: "id"}),
    Phase(
        (formats.PATHWAYS, formats.SITUATIONS, formats.TRANSITIONS, formats.CONTACTS),
        {
            formats.PATHWAYS.name: "id",
            formats.SITUATIONS.name: "pathway",
            formats.TRANSITIONS.name: "pathway",
            formats.CONTACTS.name: "pathway",
        },
    ),
    Phase(
        (formats.SITES, formats.MEASURES, formats.PLACES, formats.PROPOSALS, formats.OCCUPANCIES),
        {formats.MEASURES.name: "id"},
    ),
)
assert sorted(f.name for phase in PHASES for f in phase.files) == sorted(f.name for f in formats.FORMATS)

# The ids a file defines, by the kind of reference the validator checks.
DEFINING = {fmt.name: kind for kind, (fmt, _message) in REFERENCES.items()}


def bucket_bytes() -> int:
    return getattr(settings, "IMPORT_BUCKET_BYTES", DEFAULT_BUCKET_BYTES)


def bucket_of(value: str, count: int) -> int:
    """The bucket of a key: the same on every run and every machine (not Python's salted hash)."""
    return zlib.crc32(value.encode()) % count if count > 1 else 0


class _Scratch:
    """The rows of one file of one bucket, pickled in batches to a file on disk."""

    def __init__(self, path: Path):
        self.path = path
        self.pending: list[tuple] = []
        self.written = False

    def add(self, row: tuple) -> None:
        self.pending.append(row)
        if len(self.pending) >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            with self.path.open("ab") as stream:
                pickle.dump(self.pending, stream, protocol=pickle.HIGHEST_PROTOCOL)
            self.pending = []
            self.written = True

    def drop(self) -> None:
        self.pending = []
        if self.written:
            self.path.unlink()
            self.written = False

    def rows(self) -> Iterator[tuple]:
        self.flush()
        if not self.written:
            return
        # Our own files, written above in this import's private scratch directory.
        with self.path.open("rb") as stream:
            while True:
                try:
                    batch = pickle.load(stream)  # noqa: S301
                except EOFError:
                    return
                yield from batch


@dataclass
class Split:
    """One phase of a folder, split: its files' headers, their rows by bucket, the ids they define."""

    headers: dict[str, Table]
    count: int
    scratch: dict[tuple[str, int], _Scratch]
    # One ErrorList per file (reading.read_table's: the errors kept and the count of those dropped).
    errors: list[ErrorList]
    defined: dict[str, set[str]]

    def tables(self, bucket: int) -> dict[str, Table]:
        """The bucket's tables, rows in file order, for validation.Validator."""
        tables = {}
        for name, header in self.headers.items():
            table = Table(header.name, header.columns, header.positions, missing=header.missing)
            part = self.scratch.get((name, bucket))
            if part is not None:
                table.rows.extend(part.rows())
                part.drop()
            tables[name] = table
        return tables


def split_phase(
    files: Mapping[str, bytes], phase: Phase, directory: Path, heartbeat: Callable[[], None]
) -> Split | None:
    """Read the phase's files of `files` once each into buckets under `directory`; None when the folder
    has none of them."""
    names = set(files)  # not `in files`: a Mapping's `in` reads the file
    present = [fmt for fmt in phase.files if fmt.name in names]
    if not present:
        return None
    size = sum(file_size(files, fmt.name) for fmt in present if fmt.name in phase.keys)
    count = min(MAX_BUCKETS, max(1, math.ceil(size / max(1, bucket_bytes()))))
    split = Split(headers={}, count=count, scratch={}, errors=[], defined={})
    for fmt in present:
        parts = [_Scratch(directory / f"{fmt.name}.{bucket}") for bucket in range(count)]
        defines = DEFINING.get(fmt.name)
        ids: set[str] = set()
        sink = _Sink(parts, ids if defines else None, phase.keys.get(fmt.name), heartbeat)
        with open_file(files, fmt.name) as stream:
            table, errors = read_table(fmt.name, stream, known=fmt.columns, required=fmt.required, sink=sink)
        split.errors.append(errors)
        if not table.columns:
            # Undecodable after its first lines: the file counts as empty, as read_table returns it.
            for part in parts:
                part.drop()
            ids.clear()
        split.headers[fmt.name] = table
        for bucket, part in enumerate(parts):
            part.flush()
            split.scratch[(fmt.name, bucket)] = part
        if defines:
            split.defined[defines] = ids - {""}
        heartbeat()
    return split


class _Sink:
    """Where read_table puts a file's rows: each in its bucket's scratch file; the ids noted."""

    def __init__(self, parts: list[_Scratch], ids: set[str] | None, key: str | None, heartbeat):
        self.parts, self.ids, self.key, self.heartbeat = parts, ids, key, heartbeat
        self.seen = 0

    def __call__(self, table: Table) -> Callable[[tuple], None]:
        id_at = table.positions.get("id") if self.ids is not None else None
        key_at = table.positions.get(self.key) if self.key else None
        parts, ids, count = self.parts, self.ids, len(self.parts)

        def add(row: tuple) -> None:
            self.seen += 1
            if self.seen % 10_000 == 0:
                self.heartbeat()
            if id_at is not None:
                ids.add(row[id_at])
            parts[bucket_of(row[key_at], count) if key_at is not None else 0].add(row)

        return add


def scratch_directory() -> str | None:
    """Where the buckets are written (the system's temporary directory unless IMPORT_SCRATCH_DIR)."""
    directory = getattr(settings, "IMPORT_SCRATCH_DIR", None) or None
    if directory:
        os.makedirs(directory, exist_ok=True)
    return directory
