"""Bulk inserts for the import: COPY on PostgreSQL, bulk_create elsewhere.

On PostgreSQL, bulk_create of a million rows spends most of its time building model instances and
quoting parameters; COPY streams plain tuples instead, several times faster. Ids that the caller needs
(to link child rows) are drawn from the table's sequence beforehand, as bulk_create would return them.
"""

from django.db import connection

BATCH = 5000


def _defaults(model, fields: list[str]) -> list[tuple[str, object]]:
    """The columns left out by the caller, with the value a model instance would give them."""
    given = set(fields)
    return [
        (f.attname, f.get_default())
        for f in model._meta.concrete_fields
        if not f.primary_key and f.attname not in given
    ]


def insert_rows(model, fields: list[str], rows: list[tuple], *, returning_ids: bool = False) -> list[int]:
    """Insert `rows` (tuples of values for the attnames `fields`); returns their ids when asked."""
    if not rows:
        return []
    defaults = _defaults(model, fields)
    if connection.vendor != "postgresql":
        names = [*fields, *(name for name, _ in defaults)]
        extra = tuple(value for _, value in defaults)
        objects = [model(**dict(zip(names, (*row, *extra), strict=True))) for row in rows]
        model.objects.bulk_create(objects, batch_size=BATCH)
        return [obj.pk for obj in objects] if returning_ids else []

    table = model._meta.db_table
    pk_column = model._meta.pk.column
    columns = [model._meta.get_field(name).column for name in fields] + [
        model._meta.get_field(name).column for name, _ in defaults
    ]
    extra = tuple(value for _, value in defaults)
    ids: list[int] = []
    with connection.cursor() as cursor:
        if returning_ids:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk_column, len(rows)],
            )
            ids = [row[0] for row in cursor.fetchall()]
            columns.insert(0, pk_column)
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
            if returning_ids:
                for pk, row in zip(ids, rows, strict=True):
                    copy.write_row((pk, *row, *extra))
            else:
                for row in rows:
                    copy.write_row((*row, *extra))
    return ids
