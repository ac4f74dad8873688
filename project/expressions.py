"""Database expressions that PostgreSQL and SQLite spell differently."""

from django.db import models


class DaysBetween(models.Func):
    """Calendar days from `start` to `end` (two dates), as an integer: end - start."""

    output_field = models.IntegerField()

    def __init__(self, end, start, **extra):
        super().__init__(end, start, **extra)

    def as_sql(self, compiler, connection, **extra):
        end, start = (compiler.compile(e) for e in self.get_source_expressions())
        return f"(({end[0]}) - ({start[0]}))", [*end[1], *start[1]]

    def as_sqlite(self, compiler, connection, **extra):
        end, start = (compiler.compile(e) for e in self.get_source_expressions())
        return f"CAST(julianday({end[0]}) - julianday({start[0]}) AS INTEGER)", [*end[1], *start[1]]


class MonthStart(models.Func):
    """The first day of the month of a date, as a date (no time zone: a date has none)."""

    output_field = models.DateField()

    def __init__(self, day, **extra):
        super().__init__(day, **extra)

    def as_sql(self, compiler, connection, **extra):
        day = compiler.compile(self.get_source_expressions()[0])
        return f"CAST(DATE_TRUNC('month', CAST({day[0]} AS timestamp)) AS date)", day[1]

    def as_sqlite(self, compiler, connection, **extra):
        day = compiler.compile(self.get_source_expressions()[0])
        return f"date({day[0]}, 'start of month')", day[1]
