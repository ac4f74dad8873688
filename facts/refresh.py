"""Keep the indicator read model (facts.models) exact: the one derivation of its rows, in SQL.

`refresh_facts(pathway_ids)` replaces the rows of those pathways by what their records say now; the
services and the import call it in the transaction of their write, `rebuild_facts()` does it for every
pathway (`manage.py rebuild_facts`). Both run the same statements (only the pathway filter differs), so
rebuilt and incrementally kept rows cannot drift apart: tests/facts/test_rebuild.py checks it on random
histories. The statements are set-based (INSERT … SELECT): no row passes through Python.
"""

import json
import re
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from facts.models import ActiveSpan, Entry, Event, EventKind, Exit, StageSpan
from pathways.enums import PRE_HOUSING_STAGES, SITUATION_GROUPS, Stage
from pathways.models import Contact, Household, Measure, Pathway, Situation, Transition
from territories.models import Commune

CODE = re.compile(r"^[a-z0-9_]+$")
# Above this many pathways, one refresh replaces the whole read model (a first import, say).
WHOLE_TABLE_ABOVE = 50_000


def _literal(code: str) -> str:
    if not CODE.match(code):  # enum values only, never user input
        raise ValueError(code)
    return f"'{code}'"


def _situation_group() -> str:
    whens = " ".join(f"WHEN {_literal(s)} THEN {_literal(g)}" for s, g in SITUATION_GROUPS.items())
    return f"CASE s.situation {whens} ELSE '' END"


def _days(end: str, start: str) -> str:
    if connection.vendor == "sqlite":
        return f"CAST(julianday({end}) - julianday({start}) AS INTEGER)"
    return f"({end} - {start})"


def _plus_days(day: str, days: int) -> str:
    if connection.vendor == "sqlite":
        return f"date({day}, '+{days} days')"
    return f"({day} + {days})"


def inactive_days() -> int:
    days = getattr(settings, "STEERING_INACTIVE_DAYS", 90)
    if not isinstance(days, int) or days < 1:
        raise ImproperlyConfigured(f"STEERING_INACTIVE_DAYS={days} must be a number of days of at least 1.")
    return days


def _year(day: str) -> str:
    if connection.vendor == "sqlite":
        return f"CAST(strftime('%%Y', {day}) AS INTEGER)"
    return f"CAST(EXTRACT(YEAR FROM {day}) AS INTEGER)"


def _among(column: str, ids: list[int] | None) -> tuple[str, list]:
    """SQL `AND column among ids` and its one parameter; nothing when ids is None (every pathway)."""
    if ids is None:
        return "", []
    if connection.vendor == "sqlite":
        return f" AND {column} IN (SELECT value FROM json_each(%s))", [json.dumps(ids)]
    return f" AND {column} = ANY(%s::bigint[])", [ids]


def _tables() -> dict[str, str]:
    return {
        "event": Event._meta.db_table,
        "span": StageSpan._meta.db_table,
        "active": ActiveSpan._meta.db_table,
        "contact": Contact._meta.db_table,
        "transition": Transition._meta.db_table,
        "pathway": Pathway._meta.db_table,
        "household": Household._meta.db_table,
        "situation": Situation._meta.db_table,
        "measure": Measure._meta.db_table,
        "commune": Commune._meta.db_table,
    }


LOCATED = "COALESCE(c.code, ''), COALESCE(c.epci_id, ''), COALESCE(c.departement_id, ''), COALESCE(c.region_id, '')"
EVENT_COLUMNS = (
    "kind, record_id, pathway_id, household_id, date, year, end_date, commune, epci, departement, region, "
    "situation, situation_group, lease_kind, cancelled, persons, days_since_opening, days_to_rupture"
)


def _statements(ids: list[int] | None) -> list[tuple[str, list[tuple[str, list]]]]:
    """The read model's INSERT statements with their parameters, by the table they fill, in order."""
    t = _tables()
    on_transitions, p1 = _among("t.pathway_id", ids)
    on_situations, p2 = _among("pathway_id", ids)
    on_pathways, p3 = _among("p.id", ids)
    on_measures, p4 = _among("m.pathway_id", ids)
    kinds = {Stage.BAIL_SIGNE: EventKind.LEASE, Stage.ENTREE: EventKind.MOVE_IN, Stage.RUPTURE: EventKind.RUPTURE}
    kind_case = " ".join(f"WHEN {_literal(stage)} THEN {_literal(kind)}" for stage, kind in kinds.items())
    stages = ", ".join(_literal(stage) for stage in kinds)
    entree, rupture = _literal(Stage.ENTREE), _literal(Stage.RUPTURE)
    # The first rupture belonging to a move-in: after it, with no other move-in between them.
    days_to_rupture = f"""(SELECT MIN({_days("r.date", "t.date")}) FROM {t["transition"]} r
        WHERE r.pathway_id = t.pathway_id AND r.stage = {rupture} AND r.seq > t.seq
        AND NOT EXISTS (SELECT 1 FROM {t["transition"]} m WHERE m.pathway_id = t.pathway_id
            AND m.stage = {entree} AND m.seq > t.seq AND m.seq < r.seq))"""
    transitions = f"""
        INSERT INTO {t["event"]} ({EVENT_COLUMNS})
        SELECT CASE t.stage {kind_case} END, t.id, t.pathway_id, p.household_id, t.date, {_year("t.date")}, NULL,
            {LOCATED}, COALESCE(s.situation, ''), {_situation_group()}, t.dwelling_kind,
            (t.stage = {_literal(Stage.BAIL_SIGNE)} AND t.next_stage = {_literal(Stage.ORIENTE)}),
            h.adults + h.children,
            CASE WHEN t.stage = {entree} THEN {_days("t.date", "p.opened_on")} END,
            CASE WHEN t.stage = {entree} THEN {days_to_rupture} END
        FROM {t["transition"]} t
        JOIN {t["pathway"]} p ON p.id = t.pathway_id
        JOIN {t["household"]} h ON h.id = p.household_id
        LEFT JOIN {t["commune"]} c ON c.code = t.dwelling_commune_id
        LEFT JOIN (
            SELECT pathway_id, situation, since,
                LEAD(since) OVER (PARTITION BY pathway_id ORDER BY since) AS until
            FROM {t["situation"]} WHERE 1 = 1{on_situations}
        ) s ON s.pathway_id = t.pathway_id AND s.since <= t.date AND (s.until IS NULL OR t.date < s.until)
        WHERE t.stage IN ({stages}){on_transitions}"""
    opened = f"""
        INSERT INTO {t["event"]} ({EVENT_COLUMNS})
        SELECT {_literal(EventKind.OPENED)}, p.id, p.id, p.household_id, p.opened_on, {_year("p.opened_on")}, NULL,
            {LOCATED}, '', '', '', FALSE, h.adults + h.children, NULL, NULL
        FROM {t["pathway"]} p
        JOIN {t["household"]} h ON h.id = p.household_id
        LEFT JOIN {t["commune"]} c ON c.code = p.commune_id
        WHERE 1 = 1{on_pathways}"""
    measures = f"""
        INSERT INTO {t["event"]} ({EVENT_COLUMNS})
        SELECT {_literal(EventKind.MEASURE)}, m.id, m.pathway_id, p.household_id, m.started_on,
            {_year("m.started_on")}, m.ended_on, {LOCATED}, '', '', '', FALSE, h.adults + h.children, NULL, NULL
        FROM {t["measure"]} m
        JOIN {t["pathway"]} p ON p.id = m.pathway_id
        JOIN {t["household"]} h ON h.id = p.household_id
        LEFT JOIN {t["commune"]} c ON c.code = p.commune_id
        WHERE 1 = 1{on_measures}"""
    spans = f"""
        INSERT INTO {t["span"]}
            (transition_id, pathway_id, stage, valid_from, valid_to, dalo, commune, epci, departement, region)
        SELECT t.id, t.pathway_id, t.stage, t.date, t.next_date, p.dalo, {LOCATED}
        FROM {t["transition"]} t
        JOIN {t["pathway"]} p ON p.id = t.pathway_id
        LEFT JOIN {t["commune"]} c ON c.code = p.commune_id
        WHERE (t.next_date IS NULL OR t.next_date > t.date){on_transitions}"""
    return [
        (t["event"], [(transitions, p2 + p1), (opened, p3), (measures, p4)]),
        (t["span"], [(spans, p1)]),
        (t["active"], [_active_spans(ids)]),
    ]


def _active_spans(ids: list[int] | None) -> tuple[str, list]:
    """The active periods (facts.models.ActiveSpan), from the stage spans just written, the contacts and the
    move-ins: gaps and islands over the activity dates of each run of stages before housing."""
    t = _tables()
    on_spans, p1 = _among("s.pathway_id", ids)
    on_contacts, p2 = _among("c.pathway_id", ids)
    on_situations, p3 = _among("pathway_id", ids)
    n = inactive_days()
    pre = ", ".join(_literal(stage) for stage in PRE_HOUSING_STAGES)
    end = _plus_days("i.last_d", n)
    sql = f"""
        INSERT INTO {t["active"]} (pathway_id, valid_from, valid_to, entry, exit, composition,
            situation_group, commune, epci, departement, region)
        WITH spans AS (
            SELECT s.pathway_id, s.stage, s.valid_from, s.valid_to,
                MIN(CASE WHEN s.stage NOT IN ({pre}) THEN s.valid_from END) OVER (PARTITION BY s.pathway_id
                    ORDER BY s.valid_from ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS period_end
            FROM {t["span"]} s WHERE 1 = 1{on_spans}
        ), pre AS (
            SELECT pathway_id, valid_from, valid_to, COALESCE(period_end, '9999-12-31') AS pe
            FROM spans WHERE stage IN ({pre})
        ), act AS (
            SELECT pathway_id, valid_from AS d, pe FROM pre
            UNION
            SELECT c.pathway_id, c.date, pre.pe FROM {t["contact"]} c
            JOIN pre ON pre.pathway_id = c.pathway_id AND pre.valid_from <= c.date
                AND (pre.valid_to IS NULL OR c.date < pre.valid_to)
            WHERE 1 = 1{on_contacts}
        ), marked AS (
            SELECT pathway_id, d, pe,
                CASE WHEN LAG(d) OVER w IS NULL OR LAG(pe) OVER w <> pe OR {_days("d", "LAG(d) OVER w")} > {n}
                THEN 1 ELSE 0 END AS starts
            FROM act WINDOW w AS (PARTITION BY pathway_id ORDER BY d)
        ), numbered AS (
            SELECT pathway_id, d, pe,
                SUM(starts) OVER (PARTITION BY pathway_id ORDER BY d ROWS UNBOUNDED PRECEDING) AS island
            FROM marked
        ), islands AS (
            SELECT pathway_id, island, MIN(d) AS f, MAX(d) AS last_d, MAX(pe) AS pe
            FROM numbered GROUP BY pathway_id, island
        )
        SELECT i.pathway_id, i.f,
            CASE WHEN i.pe <= {end} THEN i.pe ELSE {end} END,
            CASE WHEN i.island > 1 THEN {_literal(Entry.AFTER_INACTIVITY)}
                WHEN EXISTS (SELECT 1 FROM {t["event"]} e WHERE e.kind = {_literal(EventKind.MOVE_IN)}
                    AND e.household_id = p.household_id AND e.pathway_id <> i.pathway_id AND e.date < i.f)
                THEN {_literal(Entry.AFTER_HOUSING)}
                ELSE {_literal(Entry.NEW)} END,
            CASE WHEN i.pe > {end} THEN {_literal(Exit.INACTIVE)}
                WHEN x.stage = {_literal(Stage.ENTREE)} THEN {_literal(Exit.HOUSED)}
                ELSE {_literal(Exit.CLOSED)} END,
            h.composition, {_situation_group()}, {LOCATED}
        FROM islands i
        JOIN {t["pathway"]} p ON p.id = i.pathway_id
        JOIN {t["household"]} h ON h.id = p.household_id
        LEFT JOIN {t["commune"]} c ON c.code = p.commune_id
        LEFT JOIN {t["span"]} x ON x.pathway_id = i.pathway_id AND x.valid_from = i.pe
        LEFT JOIN (
            SELECT pathway_id, situation, since,
                LEAD(since) OVER (PARTITION BY pathway_id ORDER BY since) AS until
            FROM {t["situation"]} WHERE 1 = 1{on_situations}
        ) s ON s.pathway_id = i.pathway_id AND s.since <= i.f AND (s.until IS NULL OR i.f < s.until)"""
    return sql, p1 + p2 + p3


def _write(ids: list[int] | None) -> None:
    t = _tables()
    whole = ids is None and connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if ids is None:
            if connection.vendor == "postgresql":
                cursor.execute(f"TRUNCATE {t['event']}, {t['span']}, {t['active']}")
            else:
                for table in (t["event"], t["span"], t["active"]):
                    cursor.execute(f"DELETE FROM {table}")
        else:
            for table in (t["event"], t["span"], t["active"]):
                where, params = _among("pathway_id", ids)
                cursor.execute(f"DELETE FROM {table} WHERE 1 = 1{where}", params)
        if whole:
            # Index builds sort in memory rather than in temporary files (this transaction only).
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for table, statements in _statements(ids):
            dropped = _drop_secondary_indexes(cursor, table) if whole else []
            for sql, params in statements:
                cursor.execute(sql, params)
            if whole:
                for definition in dropped:
                    cursor.execute(definition)
                # The next table's statement reads this one (active periods read the events and spans).
                cursor.execute(f"ANALYZE {table}")


def _drop_secondary_indexes(cursor, table: str) -> list[str]:
    """Drop `table`'s indexes other than its primary key and unique constraints; returns their
    definitions. A whole rebuild on PostgreSQL writes millions of rows into an emptied table (TRUNCATE
    already holds it exclusively until commit): building each index once afterwards is several times
    faster than keeping eight of them up to date row by row."""
    cursor.execute(
        """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
        WHERE i.indrelid = %s::regclass AND NOT i.indisprimary
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""",
        [table],
    )
    indexes = cursor.fetchall()
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
    return [definition for _name, definition in indexes]


def refresh_facts(pathway_ids: Iterable[int]) -> None:
    """Replace the read-model rows of these pathways (call it in the transaction of the write)."""
    ids = set(pathway_ids)
    if not ids:
        return
    if len(ids) > WHOLE_TABLE_ABOVE and len(ids) * 2 > Pathway.objects.count():
        _write(None)
        return
    # A move-in decides whether the household's later pathways open as a return after housing.
    households = Pathway.objects.filter(pk__in=ids).values("household_id")
    ids |= set(Pathway.objects.filter(household_id__in=households).values_list("pk", flat=True))
    _write(sorted(ids))


def rebuild_facts() -> None:
    """Rebuild the whole read model from the records (run it in a transaction)."""
    _write(None)
