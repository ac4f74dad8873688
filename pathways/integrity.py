"""Consistency of the pathways and of their transition log, checked in the database (`check_integrity`).

The services and the import keep these invariants row by row; this module re-derives them from the
stored rows with set-based SQL (window functions, anti-joins), so that it runs at a million pathways:
after a restore, an import, a fault-injection test or a manual fix in the database.

    from pathways.integrity import integrity_check
    report = integrity_check()
    assert report.ok, report.text()

Each check lists at most `EXAMPLES` offending ids (the smallest) and counts all of them.
"""

import re
from dataclasses import dataclass, field

from django.db import connections, models

from pathways.enums import IMPORT_INITIAL_STAGES, TRANSITIONS, Stage
from pathways.models import (
    Assignment,
    Contact,
    Household,
    Measure,
    Member,
    Pathway,
    PathwayShare,
    Reminder,
    Situation,
    Transition,
)

EXAMPLES = 10


@dataclass
class Check:
    code: str
    label: str  # French: what a violation is
    count: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, reference: str) -> None:
        self.count += 1
        if len(self.examples) < EXAMPLES:
            self.examples.append(reference)

    @property
    def ok(self) -> bool:
        return self.count == 0


@dataclass
class IntegrityReport:
    checks: list[Check]
    pathways: int = 0
    transitions: int = 0

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def violations(self) -> int:
        return sum(check.count for check in self.checks)

    def by_code(self) -> dict[str, Check]:
        return {check.code: check for check in self.checks}

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "pathways": self.pathways,
            "transitions": self.transitions,
            "violations": self.violations,
            "checks": [
                {"code": c.code, "label": c.label, "count": c.count, "examples": c.examples} for c in self.checks
            ],
        }

    def text(self) -> str:
        lines = [f"Contrôle de cohérence : {self.pathways} parcours, {self.transitions} changements d'étape."]
        for check in self.checks:
            if check.ok:
                lines.append(f"  OK      {check.label} : 0")
            else:
                more = "..." if check.count > len(check.examples) else ""
                lines.append(f"  ÉCHEC   {check.label} : {check.count} ({', '.join(check.examples)}{more})")
        if self.ok:
            lines.append("Aucune incohérence.")
        else:
            lines.append(f"{self.violations} incohérence(s) : voir les contrôles en échec ci-dessus.")
        return "\n".join(lines)


def _table(model) -> str:
    return model._meta.db_table


def _pathway_ref(pk: int) -> str:
    return f"P-{pk:06d}"


def _household_ref(pk: int) -> str:
    return f"M-{pk:06d}"


# One pass over the log: each row with its neighbours in the pathway (by seq), the dwelling of the latest
# lease on or before it (a running count of leases numbers the groups of rows that share a lease), and
# its pathway's denormalised columns. The outer query turns each invariant into a 0/1 flag per pathway
# and keeps only the pathways with at least one.
_WINDOWED = """
SELECT t.id, t.pathway_id, t.seq, t.stage, t.date, t.next_stage, t.next_date,
       t.dwelling_kind, t.dwelling_commune_id, t.housing_kind, t.housing_commune_id,
       ROW_NUMBER() OVER w AS position,
       LAG(t.stage) OVER w AS previous_stage,
       LAG(t.date) OVER w AS previous_date,
       LEAD(t.stage) OVER w AS following_stage,
       LEAD(t.date) OVER w AS following_date,
       LEAD(t.id) OVER w AS following_id,
       SUM(CASE WHEN t.stage = %s THEN 1 ELSE 0 END) OVER w AS lease_group
FROM {transition} AS t
WINDOW w AS (PARTITION BY t.pathway_id ORDER BY t.seq)
"""

_LEASED = """
SELECT r.*,
       MAX(CASE WHEN r.stage = %s THEN r.housing_kind END) OVER g AS lease_kind,
       MAX(CASE WHEN r.stage = %s THEN r.housing_commune_id END) OVER g AS lease_commune_id
FROM ({windowed}) AS r
WINDOW g AS (PARTITION BY r.pathway_id, r.lease_group)
"""

# (code, French label, SQL condition on a row of _LEASED joined to its pathway `p`)
_LOG_CHECKS = [
    (
        "seq_gaps",
        "Numéros d'ordre des étapes non consécutifs (1, 2, 3...)",
        "l.seq <> l.position",
    ),
    (
        "first_stage",
        "Parcours commençant à une étape qui ne peut pas ouvrir un parcours",
        "l.position = 1 AND l.stage NOT IN ({initial})",
    ),
    (
        "first_date",
        "Première étape datée d'un autre jour que l'ouverture du parcours",
        "l.position = 1 AND l.date <> p.opened_on",
    ),
    (
        "move_not_allowed",
        "Passages d'étape interdits par la table des transitions",
        "l.position > 1 AND (l.previous_stage || '>' || l.stage) NOT IN ({moves})",
    ),
    (
        "dates_out_of_order",
        "Étapes datées avant l'étape précédente",
        "l.date < l.previous_date",
    ),
    (
        "next_link",
        "Lien vers l'étape suivante (étape, date) différent de l'étape qui suit",
        "l.next_stage <> COALESCE(l.following_stage, '')"
        " OR (l.next_date IS NULL AND l.following_date IS NOT NULL)"
        " OR (l.next_date IS NOT NULL AND l.following_date IS NULL)"
        " OR l.next_date <> l.following_date",
    ),
    (
        "dwelling_link",
        "Logement du dernier bail (type, commune) différent du dernier bail signé",
        "l.dwelling_kind <> COALESCE(l.lease_kind, '')"
        " OR (l.dwelling_commune_id IS NULL AND l.lease_commune_id IS NOT NULL)"
        " OR (l.dwelling_commune_id IS NOT NULL AND l.lease_commune_id IS NULL)"
        " OR l.dwelling_commune_id <> l.lease_commune_id",
    ),
    (
        "current_stage",
        "Étape courante du parcours (étape, depuis le) différente de sa dernière étape",
        "l.following_id IS NULL AND (l.stage <> p.stage OR l.date <> p.stage_on)",
    ),
]


def _log_sql() -> tuple[str, list]:
    lists = {
        "initial": list(IMPORT_INITIAL_STAGES),
        "moves": sorted(f"{a}>{b}" for a, targets in TRANSITIONS.items() for b in targets),
    }
    params: list = []
    flags = []
    for _code, _label, condition in _LOG_CHECKS:
        for name in re.findall(r"\{(\w+)\}", condition):
            params += lists[name]
        condition = condition.format(**{name: ", ".join(["%s"] * len(values)) for name, values in lists.items()})
        flags.append(f"MAX(CASE WHEN {condition} THEN 1 ELSE 0 END)")
    leased = _LEASED.format(windowed=_WINDOWED.format(transition=_table(Transition)))
    per_pathway = (
        f"SELECT l.pathway_id, {', '.join(f'{flag} AS f{i}' for i, flag in enumerate(flags))}"
        f" FROM ({leased}) AS l JOIN {_table(Pathway)} AS p ON p.id = l.pathway_id"
        " GROUP BY l.pathway_id"
    )
    any_flag = " + ".join(f"v.f{i}" for i in range(len(flags)))
    sql = f"SELECT v.* FROM ({per_pathway}) AS v WHERE {any_flag} > 0 ORDER BY v.pathway_id"
    # Placeholders in textual order: the flags' lists, then the lease stage twice in _LEASED, once in _WINDOWED.
    return sql, [*params, Stage.BAIL_SIGNE, Stage.BAIL_SIGNE, Stage.BAIL_SIGNE]


def _check_log(cursor, checks: list[Check]) -> None:
    sql, params = _log_sql()
    cursor.execute(sql, params)
    while rows := cursor.fetchmany(2000):
        for pathway_id, *flags in rows:
            for check, flag in zip(checks, flags, strict=True):
                if flag:
                    check.add(_pathway_ref(pathway_id))


def _ids(cursor, check: Check, sql: str, params=(), reference=_pathway_ref) -> Check:
    """Count the ids `sql` selects and keep the smallest as examples: only `EXAMPLES` rows come back."""
    cursor.execute(f"SELECT COUNT(*) OVER (), v.id FROM ({sql}) AS v ORDER BY v.id LIMIT {EXAMPLES}", params)
    rows = cursor.fetchall()
    check.count = rows[0][0] if rows else 0
    check.examples = [reference(pk) for _count, pk in rows]
    return check


def _pathway_checks(cursor) -> list[Check]:
    p, t, c = _table(Pathway), _table(Transition), _table(Contact)
    without_log = _ids(
        cursor,
        Check("pathway_without_log", "Parcours sans aucune étape"),
        f"SELECT p.id FROM {p} AS p WHERE NOT EXISTS (SELECT 1 FROM {t} AS t WHERE t.pathway_id = p.id)",
    )
    # The services and the import keep `last_activity_on` at the latest of the current stage's date and
    # the last contact: an earlier value would hide a pathway from the stalled queues.
    activity = _ids(
        cursor,
        Check("last_activity", "Dernière activité antérieure à la dernière étape ou au dernier contact"),
        f"SELECT p.id FROM {p} AS p LEFT JOIN (SELECT pathway_id, MAX(date) AS latest FROM {c} GROUP BY pathway_id)"
        " AS c ON c.pathway_id = p.id WHERE p.last_activity_on < p.stage_on OR p.last_activity_on < c.latest",
    )
    # The services and the import keep `current_situation` at the situation with the latest date: a stale value
    # would put a pathway in the wrong queue of the situation filter.
    s = _table(Situation)
    situation = _ids(
        cursor,
        Check("current_situation", "Situation actuelle différente de la dernière situation enregistrée"),
        f"SELECT p.id FROM {p} AS p LEFT JOIN (SELECT s.pathway_id, s.situation, s.since FROM {s} AS s"
        f" WHERE NOT EXISTS (SELECT 1 FROM {s} AS later WHERE later.pathway_id = s.pathway_id"
        " AND later.since > s.since)) AS l ON l.pathway_id = p.id"
        " WHERE p.current_situation <> COALESCE(l.situation, '') OR p.current_situation_since <> l.since"
        " OR (p.current_situation_since IS NULL) <> (l.since IS NULL)",
    )
    # The services and the import keep `household_composition` at the household's composition: a stale value
    # would put a pathway in the wrong queue of the composition filter.
    composition = _ids(
        cursor,
        Check("household_composition", "Composition du ménage gardée sur le parcours différente de celle du ménage"),
        f"SELECT p.id FROM {p} AS p JOIN {_table(Household)} AS h ON h.id = p.household_id"
        " WHERE p.household_composition <> h.composition",
    )
    return [without_log, activity, situation, composition]


def _household_checks(cursor) -> list[Check]:
    h, m, p = _table(Household), _table(Member), _table(Pathway)
    return [
        _ids(
            cursor,
            Check("household_without_member", "Ménages sans aucun membre"),
            f"SELECT h.id FROM {h} AS h WHERE NOT EXISTS (SELECT 1 FROM {m} AS m WHERE m.household_id = h.id)",
            reference=_household_ref,
        ),
        # Every page reaches a household through its pathways: one without any is visible to nobody.
        _ids(
            cursor,
            Check("household_without_pathway", "Ménages sans parcours (invisibles de tous)"),
            f"SELECT h.id FROM {h} AS h WHERE NOT EXISTS (SELECT 1 FROM {p} AS p WHERE p.household_id = h.id)",
            reference=_household_ref,
        ),
    ]


_CHILD_MODELS = (
    Household,
    Member,
    Pathway,
    PathwayShare,
    Transition,
    Situation,
    Contact,
    Measure,
    Assignment,
    Reminder,
)


def _foreign_keys(model):
    return [f for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)]


def _orphan_checks(cursor) -> list[Check]:
    """Rows whose foreign key names a missing row (possible after a partial restore, or with the
    constraints disabled): one check for members and pathways without household, one for rows of a
    missing pathway, one for every other reference (structures, communes, accounts)."""
    groups = {
        "member_without_household": Check("member_without_household", "Membres sans ménage"),
        "pathway_without_household": Check("pathway_without_household", "Parcours sans ménage"),
        "row_without_pathway": Check(
            "row_without_pathway",
            "Étapes, situations, contacts, mesures, affectations, partages ou relances sans parcours",
        ),
        "dangling_reference": Check(
            "dangling_reference", "Références vers une structure, une commune ou un compte absents"
        ),
    }
    for model in _CHILD_MODELS:
        for fk in _foreign_keys(model):
            if fk.related_model is Household:
                group = groups["member_without_household" if model is Member else "pathway_without_household"]
            elif fk.related_model is Pathway:
                group = groups["row_without_pathway"]
            else:
                group = groups["dangling_reference"]
            parent = fk.related_model
            sql = (
                f"SELECT c.id FROM {_table(model)} AS c WHERE c.{fk.column} IS NOT NULL AND NOT EXISTS "
                f"(SELECT 1 FROM {_table(parent)} AS r WHERE r.{parent._meta.pk.column} = c.{fk.column})"
            )
            table = _table(model)
            found = _ids(cursor, Check("", ""), sql, reference=lambda pk, table=table: f"{table}#{pk}")
            group.count += found.count
            group.examples = (group.examples + found.examples)[:EXAMPLES]
    return list(groups.values())


def integrity_check(*, using: str = "default") -> IntegrityReport:
    """Run every check on database `using`; `report.ok` is True when nothing is inconsistent.

    Read-only: the fault tests, the import bench and the backup check call it after their run."""
    log_checks = [Check(code, label) for code, label, _condition in _LOG_CHECKS]
    with connections[using].cursor() as cursor:
        _check_log(cursor, log_checks)
        checks = log_checks + _pathway_checks(cursor) + _household_checks(cursor) + _orphan_checks(cursor)
        cursor.execute(f"SELECT COUNT(*) FROM {_table(Pathway)}")
        pathways = cursor.fetchone()[0]
        cursor.execute(f"SELECT COUNT(*) FROM {_table(Transition)}")
        transitions = cursor.fetchone()[0]
    return IntegrityReport(checks=checks, pathways=pathways, transitions=transitions)
