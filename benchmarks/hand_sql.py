"""Two figures of the bilan by the simplest hand-written SQL over the transition log: the yardstick the
product's queries are compared with in `make bench` (issue 10).

    DATABASE_URL=... python -m benchmarks.hand_sql [--territory region:93] [--start 2018-01-01] [--end 2022-12-31]

Written from the definitions of the spec (indicators.md, domain.md) and nothing of the product's code:
only the tables Transition, Situation, Pathway and Commune, and none of the columns the product derives
for its own queries (next_stage, next_date, dwelling_*, the current stage of a pathway).
The same SQL runs on PostgreSQL and SQLite.

- attributions_sortants_hebergement: `bail_signe` transitions of kind `parc_social`, dated in the period,
  whose pathway's next transition (the following one in recording order) is not `oriente`, in a dwelling
  commune of the territory, whose situation on that date (latest situation started on or before it) is
  in group `hebergement`.
- parcours_actifs_fin_periode: pathways of a commune of the territory whose latest transition dated on or
  before the end (same-day ones in recording order) is a pre-housing stage.
"""

import argparse
import json
import os
import time
from datetime import date

# domain.md, « Residential situation »: the situations of group `hebergement`.
HEBERGEMENT = ("abri_nuit", "chu", "hotel_115", "chrs", "alt", "centre_femmes_violences", "rhvs")
# domain.md: pre-housing stages, `reperage` to `bail_signe`.
PRE_HOUSING = (
    "reperage",
    "demande",
    "evaluation",
    "attente_orientation",
    "oriente",
    "proposition",
    "caleol",
    "attribue",
    "bail_signe",
)


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{value}'" for value in values) + ")"


def territory_condition(territory: str, alias: str) -> tuple[str, list]:
    """SQL saying that the commune `alias` (territories_commune) is in the territory `kind:code`."""
    kind, _, code = territory.partition(":")
    if kind == "france":
        return "1 = 1", []
    if kind == "region":
        return f"{alias}.region_id = %s", [code]
    if kind == "departement":
        return f"{alias}.departement_id = %s", [code]
    if kind == "epci":
        return f"{alias}.epci_id = %s", [code]
    if kind == "commune":
        # A municipal arrondissement stands for its commune.
        return (
            f"{alias}.code = COALESCE((SELECT a.commune_id FROM territories_arrondissement a WHERE a.code = %s), %s)",
            [code, code],
        )
    raise ValueError(f"Territoire inconnu : {territory}")


def attributions_sortants_hebergement_sql(territory: str, start: date, end: date) -> tuple[str, list]:
    where, params = territory_condition(territory, "c")
    sql = f"""
        SELECT COUNT(*)
        FROM pathways_transition t
        JOIN territories_commune c ON c.code = t.housing_commune_id
        WHERE t.stage = 'bail_signe'
          AND t.housing_kind = 'parc_social'
          AND t.date >= %s AND t.date <= %s
          AND {where}
          AND NOT EXISTS (
              SELECT 1 FROM pathways_transition n
              WHERE n.pathway_id = t.pathway_id
                AND n.seq = (SELECT MIN(m.seq) FROM pathways_transition m
                             WHERE m.pathway_id = t.pathway_id AND m.seq > t.seq)
                AND n.stage = 'oriente')
          AND (SELECT s.situation FROM pathways_situation s
               WHERE s.pathway_id = t.pathway_id AND s.since <= t.date
               ORDER BY s.since DESC LIMIT 1) IN {_in(HEBERGEMENT)}
    """
    return sql, [start, end, *params]


def parcours_actifs_fin_periode_sql(territory: str, start: date, end: date) -> tuple[str, list]:
    where, params = territory_condition(territory, "c")
    sql = f"""
        SELECT COUNT(*)
        FROM pathways_pathway p
        JOIN territories_commune c ON c.code = p.commune_id
        WHERE {where}
          AND (SELECT t.stage FROM pathways_transition t
               WHERE t.pathway_id = p.id AND t.date <= %s
               ORDER BY t.date DESC, t.seq DESC LIMIT 1) IN {_in(PRE_HOUSING)}
    """
    return sql, [*params, end]


FIGURES = {
    "attributions_sortants_hebergement": attributions_sortants_hebergement_sql,
    "parcours_actifs_fin_periode": parcours_actifs_fin_periode_sql,
}


def compute(code: str, territory: str, start: date, end: date, *, using: str = "default") -> int:
    """The figure `code` by the hand-written SQL, on the database `using`."""
    from django.db import connections

    sql, params = FIGURES[code](territory, start, end)
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.fetchone()[0])


def timed(territory: str, start: date, end: date, *, runs: int = 2) -> dict[str, dict]:
    """{code: {"value": int, "seconds": [first, second ...]}}: each figure computed `runs` times."""
    results = {}
    for code in FIGURES:
        seconds, value = [], None
        for _ in range(runs):
            started = time.perf_counter()
            value = compute(code, territory, start, end)
            seconds.append(time.perf_counter() - started)
        results[code] = {"value": value, "seconds": seconds}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description="Deux indicateurs par le SQL écrit à la main (banc d'essai).")
    parser.add_argument("--territory", default="region:93")
    parser.add_argument("--start", type=date.fromisoformat, default=date(2018, 1, 1))
    parser.add_argument("--end", type=date.fromisoformat, default=date(2022, 12, 31))
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="Une ligne JSON au lieu du texte.")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    import django

    django.setup()
    results = timed(args.territory, args.start, args.end, runs=args.runs)
    if args.json:
        print(json.dumps(results))
        return
    for code, result in results.items():
        times = ", ".join(f"{s:.3f} s" for s in result["seconds"])
        print(f"{code} : {result['value']} ({times})")


if __name__ == "__main__":
    main()
