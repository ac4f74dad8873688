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

from django.db import connection

from facts.models import Event, EventKind, StageSpan
from pathways.enums import SITUATION_GROUPS, Stage
from pathways.models import Household, Measure, Pathway, Situation, Transition
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


def _statements(ids: list[int] | None) -> list[tuple[str, list]]:
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
    return [(transitions, p2 + p1), (opened, p3), (measures, p4), (spans, p1)]


def _write(ids: list[int] | None) -> None:
    t = _tables()
    with connection.cursor() as cursor:
        if ids is None:
            if connection.vendor == "postgresql":
                cursor.execute(f"TRUNCATE {t['event']}, {t['span']}")
            else:
                cursor.execute(f"DELETE FROM {t['event']}")
                cursor.execute(f"DELETE FROM {t['span']}")
        else:
            for table in (t["event"], t["span"]):
                where, params = _among("pathway_id", ids)
                cursor.execute(f"DELETE FROM {table} WHERE 1 = 1{where}", params)
        for sql, params in _statements(ids):
            cursor.execute(sql, params)


def refresh_facts(pathway_ids: Iterable[int]) -> None:
    """Replace the read-model rows of these pathways (call it in the transaction of the write)."""
    ids = sorted(set(pathway_ids))
    if not ids:
        return
    if len(ids) > WHOLE_TABLE_ABOVE and len(ids) * 2 > Pathway.objects.count():
        _write(None)
        return
    _write(ids)


def rebuild_facts() -> None:
    """Rebuild the whole read model from the records (run it in a transaction)."""
    _write(None)
