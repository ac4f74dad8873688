"""The ids behind a bilan figure as one compact value, and the filter that reads them back.

A figure of a million-pathway bilan has up to a million record ids: one row per id made a run write
millions of rows. The ids are stored instead as one blob per figure: sorted, unique, each the gap to
the previous one as an unsigned LEB128 varint (mostly one byte, ids being close), zlib-compressed.

`IdIn` filters any queryset on such a list with one SQL parameter whatever its size (`pk__in` puts one
parameter per id, past SQLite's limit at a few tens of thousands): an array on PostgreSQL, a JSON text
on SQLite.
"""

import json
import zlib
from collections.abc import Iterable

from django.db.models import BooleanField, Expression, F

LOW_BITS = 0x7F
MORE = 0x80


def encode(ids: Iterable[int]) -> bytes:
    """The sorted unique `ids` (non-negative), delta-encoded as varints and compressed; b"" for none."""
    previous = 0
    out = bytearray()
    for record_id in sorted(set(ids)):
        if record_id < 0:
            raise ValueError(f"Negative id {record_id}: the varints are unsigned.")
        gap = record_id - previous
        previous = record_id
        while gap > LOW_BITS:
            out.append((gap & LOW_BITS) | MORE)
            gap >>= 7
        out.append(gap)
    return zlib.compress(bytes(out)) if out else b""


def decode(data: bytes) -> list[int]:
    """The sorted ids `encode` was given (without duplicates)."""
    if not data:
        return []
    ids = []
    previous = gap = shift = 0
    for byte in zlib.decompress(bytes(data)):
        gap |= (byte & LOW_BITS) << shift
        if byte & MORE:
            shift += 7
            continue
        previous += gap
        ids.append(previous)
        gap = shift = 0
    if shift:
        raise ValueError("Truncated id list: its last varint does not end.")
    return ids


class IdIn(Expression):
    """`column` (a column of integers, the primary key by default) is one of `ids`:
    `Model.objects.filter(IdIn(ids))`, combined with other filters, negated with `~Q(IdIn(ids))`, in a
    Subquery, counted or paginated like any condition."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, ids: Iterable[int], column: str | Expression = "pk"):
        super().__init__()
        self.ids = [int(record_id) for record_id in ids]
        self.column = F(column) if isinstance(column, str) else column

    def __repr__(self):
        return f"{self.__class__.__name__}({len(self.ids)} ids, {self.column!r})"

    def get_source_expressions(self):
        return [self.column]

    def set_source_expressions(self, exprs):
        (self.column,) = exprs

    def as_postgresql(self, compiler, connection):
        column, params = compiler.compile(self.column)
        # bigint[] whatever the values (psycopg would pick int2[] for small ones): an int4 or int8
        # column compares to it through its index.
        return f"{column} = ANY(%s::bigint[])", (*params, self.ids)

    def as_sqlite(self, compiler, connection):
        column, params = compiler.compile(self.column)
        return f"{column} IN (SELECT value FROM json_each(%s))", (*params, json.dumps(self.ids))

    def as_sql(self, compiler, connection):
        # Other engines (not supported by the project): the plain list, one parameter per id.
        column, params = compiler.compile(self.column)
        if not self.ids:
            return "1 = 0", params
        return f"{column} IN ({', '.join(['%s'] * len(self.ids))})", (*params, *self.ids)
