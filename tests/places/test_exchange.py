"""places.csv, proposals.csv and occupancies.csv in the exchange folder (docs/echange.md): a valid folder
loads, every error is listed with its line, a second import changes nothing, the export gives the same
rows back, and loading places leaves the plan's indicators as they were."""

import csv
import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from places.enums import PlaceState, ProposalStatus
from places.models import Occupancy, Place, PlaceEvent, Proposal
from reports.services import bilan_compute
from territories.territory import parse_territory
from tests.exchange.folders import write_folder
from tests.exchange.test_export import rows, run_export
from tests.exchange.test_import import SUMMARY_FIRST_IMPORT, SUMMARY_UNCHANGED, run_import

PLACES = """
    id,site,label,kind,persons_min,persons_max,bedrooms,reduced_mobility,pets_allowed,state,state_since,vacant_since,unavailable_reason,pathway
    PL1,L1,T1 porte A,iml_sous_location,1,2,1,false,false,occupee,2020-05-15,,,P1
    PL2,L1,T3 porte B,iml_sous_location,2,4,2,true,true,proposee,2024-03-01,2024-01-10,,P2
    PL3,L2,Chambre 4,pension_famille,1,1,0,false,false,vacante,2024-02-01,2023-11-01,,
    PL4,L2,Chambre 5,pension_famille,1,1,0,false,false,indisponible,2024-01-15,,travaux,
"""
PROPOSALS = """
    place,pathway,proposed_on,status,decline_reason,answered_on,waiting_since,note
    PL1,P1,2020-05-01,acceptee,,2020-05-15,2020-04-01,
    PL2,P2,2024-02-01,refusee_menage,localisation,2024-02-10,2020-03-01,
    PL2,P2,2024-03-01,en_attente,,,2020-03-01,
    PL3,P1,2019-01-01,refusee_structure,autre,2019-01-05,2019-01-01,Dossier transmis hors délai
"""
OCCUPANCIES = """
    place,pathway,reserved_on,started_on,ended_on,end_reason
    PL1,P1,2020-05-15,2020-06-15,,
"""
PLACE_FILES = {"places_csv": PLACES, "proposals_csv": PROPOSALS, "occupancies_csv": OCCUPANCIES}
SUMMARY_PLACES_FIRST = [
    "places.csv : 4 créé(s), 0 mis à jour, 0 inchangé(s)",
    "proposals.csv : 4 créé(s), 0 mis à jour, 0 inchangé(s)",
    "occupancies.csv : 1 créé(s), 0 mis à jour, 0 inchangé(s)",
]
SUMMARY_PLACES_UNCHANGED = [
    "places.csv : 0 créé(s), 0 mis à jour, 4 inchangé(s)",
    "proposals.csv : 0 créé(s), 0 mis à jour, 4 inchangé(s)",
    "occupancies.csv : 0 créé(s), 0 mis à jour, 1 inchangé(s)",
]


def failed_import(folder) -> list[str]:
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_exchange", str(folder), stdout=StringIO(), stderr=err)
    return err.getvalue().splitlines()


def test_a_valid_folder_loads_the_places_their_proposals_and_occupancies(geo, tmp_path):
    lines = run_import(write_folder(tmp_path / "in", **PLACE_FILES))

    assert lines[:-1] == SUMMARY_FIRST_IMPORT + SUMMARY_PLACES_FIRST
    occupied, proposed, vacant, closed = Place.objects.order_by("external_id")
    assert (occupied.state, occupied.pathway.external_id, occupied.site.external_id) == ("occupee", "P1", "L1")
    assert (proposed.persons_min, proposed.persons_max, proposed.bedrooms) == (2, 4, 2)
    assert proposed.reduced_mobility and proposed.pets_allowed
    assert (proposed.state, proposed.vacant_since, proposed.pathway.external_id) == (
        "proposee",
        datetime.date(2024, 1, 10),
        "P2",
    )
    assert (vacant.state, vacant.vacant_since, vacant.pathway) == ("vacante", datetime.date(2023, 11, 1), None)
    assert (closed.state, closed.unavailable_reason, closed.vacant_since) == ("indisponible", "travaux", None)
    pending = Proposal.objects.get(status=ProposalStatus.PENDING)
    assert (pending.place, pending.pathway.external_id, pending.waiting_since) == (
        proposed,
        "P2",
        datetime.date(2020, 3, 1),
    )
    declined = Proposal.objects.get(place=proposed, status=ProposalStatus.DECLINED_BY_HOUSEHOLD)
    assert (declined.decline_reason, declined.answered_on) == ("localisation", datetime.date(2024, 2, 10))
    occupancy = Occupancy.objects.get()
    # The occupancy comes from the proposal accepted on its reservation day.
    assert occupancy.proposal == Proposal.objects.get(status=ProposalStatus.ACCEPTED)
    assert (occupancy.started_on, occupancy.ended_on) == (datetime.date(2020, 6, 15), None)
    # The history a service would have written: the vacancy's start, then the state.
    assert list(PlaceEvent.objects.filter(place=proposed).values_list("state", "on")) == [
        ("vacante", datetime.date(2024, 1, 10)),
        ("proposee", datetime.date(2024, 3, 1)),
    ]
    assert list(PlaceEvent.objects.filter(place=vacant).values_list("state", "on")) == [
        ("vacante", datetime.date(2023, 11, 1))
    ]
    assert list(PlaceEvent.objects.filter(place=closed).values_list("state", "on", "unavailable_reason")) == [
        ("indisponible", datetime.date(2024, 1, 15), "travaux")
    ]


def test_reimporting_changes_nothing(geo, tmp_path):
    folder = write_folder(tmp_path / "in", **PLACE_FILES)
    run_import(folder)
    before = (
        list(Place.objects.values_list("pk", "state", "version").order_by("pk")),
        PlaceEvent.objects.count(),
        Proposal.objects.count(),
        Occupancy.objects.count(),
    )

    assert run_import(folder)[:-1] == SUMMARY_UNCHANGED + SUMMARY_PLACES_UNCHANGED
    after = (
        list(Place.objects.values_list("pk", "state", "version").order_by("pk")),
        PlaceEvent.objects.count(),
        Proposal.objects.count(),
        Occupancy.objects.count(),
    )
    assert after == before


def test_a_corrected_folder_answers_the_proposal_and_moves_the_place_on(geo, tmp_path):
    run_import(write_folder(tmp_path / "in", **PLACE_FILES))
    place = Place.objects.get(external_id="PL2")
    version = place.version
    # The pending proposal is declined; the place is vacant again, its vacancy kept.
    places = PLACES.replace("proposee,2024-03-01,2024-01-10,,P2", "vacante,2024-03-20,2024-01-10,,")
    proposals = PROPOSALS.replace("2024-03-01,en_attente,,,", "2024-03-01,refusee_structure,cout,2024-03-20,")

    lines = run_import(
        write_folder(tmp_path / "fix", places_csv=places, proposals_csv=proposals, occupancies_csv=OCCUPANCIES)
    )

    assert "places.csv : 0 créé(s), 1 mis à jour, 3 inchangé(s)" in lines
    assert "proposals.csv : 0 créé(s), 1 mis à jour, 3 inchangé(s)" in lines
    place.refresh_from_db()
    assert (place.state, place.state_since, place.vacant_since, place.pathway) == (
        PlaceState.VACANT,
        datetime.date(2024, 3, 20),
        datetime.date(2024, 1, 10),
        None,
    )
    assert place.version == version + 1
    assert Proposal.objects.get(place=place, proposed_on=datetime.date(2024, 3, 1)).decline_reason == "cout"
    # The vacancy goes on (no new start): one row, the state's date.
    assert list(PlaceEvent.objects.filter(place=place).values_list("state", "on")) == [
        ("vacante", datetime.date(2024, 1, 10)),
        ("proposee", datetime.date(2024, 3, 1)),
        ("vacante", datetime.date(2024, 3, 20)),
    ]


def test_every_error_is_listed_with_its_line_and_nothing_is_written(geo, tmp_path):
    places = PLACES + (
        "PL5,L9,,studio,0,1,-1,peut-être,false,libre,2030-01-01,,,\n"
        "PL6,L1,T2,,3,2,1,false,false,vacante,2024-01-01,,travaux,P1\n"
        "PL7,L1,T2,,1,1,1,false,false,occupee,2024-01-01,2023-01-01,,\n"
        "PL8,L1,T2,,1,1,1,false,false,indisponible,2024-01-01,,en_panne,\n"
        "PL9,L1,T2,,1,1,1,false,false,proposee,2024-01-01,2024-02-01,,P1\n"
        "PL1,L1,T2,,1,1,1,false,false,vacante,2024-01-01,2024-01-01,,\n"
    )
    proposals = PROPOSALS + (
        "PL3,P1,2024-02-05,en_attente,,,,\n"
        "PL4,P2,2024-02-05,en_attente,,,,\n"
        "PL3,P1,2024-02-01,refusee_menage,dossier_incomplet,2024-02-02,,\n"
        "PL3,P1,2024-02-03,refusee_structure,autre,2024-02-04,,\n"
        "PL3,P1,2024-02-06,acceptee,,2024-02-01,,\n"
        "PL99,P1,2024-02-01,retiree,,,,\n"
        "PL3,P1,2024-02-07,peut_etre,,,,\n"
    )
    occupancies = OCCUPANCIES + (
        "PL1,P1,2021-01-01,,,\n"
        "PL3,P1,2024-01-01,2023-12-01,2023-12-31,\n"
        "PL3,P2,2024-01-01,,,demenagement\n"
        "PL4,P2,2024-01-01,,,\n"
    )

    errors = failed_import(
        write_folder(tmp_path / "in", places_csv=places, proposals_csv=proposals, occupancies_csv=occupancies)
    )

    assert errors == [
        "places.csv:6: site: Lieu inconnu : « L9 » (ni dans sites.csv ni importé auparavant).",
        "places.csv:6: kind: Type de place inconnu : « studio ». Valeurs possibles : iml_sous_location, iml_mandat_gestion, pension_famille, residence_accueil, residence_sociale, chu, chrs, hotel, act, un_chez_soi_dabord, lhss, autre.",
        "places.csv:6: label: Valeur obligatoire.",
        "places.csv:6: persons_min: La valeur doit être au moins 1 (et non 0).",
        "places.csv:6: bedrooms: La valeur doit être au moins 0 (et non -1).",
        "places.csv:6: reduced_mobility: Valeur invalide : « peut-être » (attendu oui/non, true/false ou 1/0).",
        "places.csv:6: state: État inconnu : « libre ». Valeurs possibles : vacante, proposee, occupee, indisponible.",
        "places.csv:6: state_since: La date ne peut pas être dans le futur.",
        "places.csv:7: persons_max: Le nombre maximum de personnes doit être au moins égal au minimum.",
        "places.csv:7: vacant_since: Obligatoire pour une place vacante ou proposée (début de la vacance).",
        "places.csv:7: unavailable_reason: Seule une place indisponible a un motif d'indisponibilité.",
        "places.csv:7: pathway: Seule une place proposée ou occupée nomme un parcours.",
        "places.csv:8: vacant_since: Seule une place vacante ou proposée a un début de vacance.",
        "places.csv:8: pathway: Obligatoire pour une place proposée ou occupée (le parcours qui la tient).",
        "places.csv:9: unavailable_reason: Motif d'indisponibilité inconnu : « en_panne ». Valeurs possibles : travaux, fermee, sinistre, autre.",
        "places.csv:10: vacant_since: Le début de la vacance ne peut pas suivre la date de l'état (state_since).",
        "places.csv:10: pathway: Ce parcours tient déjà la place de la ligne 2 : un parcours ne tient qu'une place à la fois.",
        "places.csv:11: id: Identifiant « PL1 » en double (déjà utilisé ligne 2).",
        "proposals.csv:6: place: Dans places.csv (ligne 4), cette place n'est pas proposée à ce parcours.",
        "proposals.csv:7: status: Une autre proposition en attente concerne déjà ce parcours (ligne 4) : une seule à la fois.",
        "proposals.csv:8: decline_reason: Choisissez le motif du refus dans la liste.",
        "proposals.csv:9: note: Précisez le motif du refus.",
        "proposals.csv:10: answered_on: La réponse ne peut pas précéder la proposition (06/02/2024).",
        "proposals.csv:11: place: Place inconnue : « PL99 » (ni dans places.csv ni importée auparavant).",
        "proposals.csv:11: answered_on: Obligatoire : la date du retrait.",
        "proposals.csv:12: status: Réponse inconnue : « peut_etre ». Valeurs possibles : en_attente, acceptee, refusee_structure, refusee_menage, retiree.",
        "occupancies.csv:3: reserved_on: Cette occupation chevauche celle de la ligne 2 pour cette place : jamais deux occupations à la fois.",
        "occupancies.csv:4: started_on: L'entrée ne peut pas précéder l'attribution (reserved_on).",
        "occupancies.csv:4: ended_on: La fin ne peut pas précéder l'attribution (reserved_on).",
        "occupancies.csv:4: end_reason: Obligatoire pour une occupation terminée.",
        "occupancies.csv:5: end_reason: Seule une occupation terminée (ended_on) a un motif de fin.",
        "occupancies.csv:6: place: Dans places.csv (ligne 5), cette place n'est pas occupée à ce parcours.",
    ]
    assert not Place.objects.exists() and not Proposal.objects.exists()


def test_a_stored_pending_proposal_still_holds_its_place(geo, tmp_path):
    run_import(write_folder(tmp_path / "in", **PLACE_FILES))
    # A new proposal on PL2, the stored pending one not answered in the folder.
    errors = failed_import(
        write_folder(
            tmp_path / "more",
            places_csv=None,
            occupancies_csv=None,
            proposals_csv="""
                place,pathway,proposed_on,status,decline_reason,answered_on,waiting_since,note
                PL2,P1,2024-03-05,en_attente,,,,
            """,
        )
    )

    assert errors[0] == (
        "proposals.csv:2: place: Une proposition en attente déjà enregistrée (PL2, P2, 01/03/2024) tient déjà "
        "cette place ou ce parcours : indiquez sa réponse ou sa fin dans le fichier."
    )


def test_export_then_import_gives_the_same_rows(geo, tmp_path):
    source = write_folder(tmp_path / "in", **PLACE_FILES)
    run_import(source)

    lines = run_export(tmp_path / "out", "--with-personal-data")

    assert lines[-4:-1] == ["places.csv : 4 ligne(s)", "proposals.csv : 4 ligne(s)", "occupancies.csv : 1 ligne(s)"]
    for name in ("places.csv", "proposals.csv", "occupancies.csv"):
        expected = list(csv.reader(StringIO((source / name).read_text(encoding="utf-8"))))
        assert rows(tmp_path / "out" / name) == [expected[0], *sorted(expected[1:])], name
    assert run_import(tmp_path / "out")[:-1] == SUMMARY_UNCHANGED + SUMMARY_PLACES_UNCHANGED


def test_a_territory_without_places_exports_no_places_files(geo, tmp_path):
    run_import(write_folder(tmp_path / "in"))

    run_export(tmp_path / "out")

    assert not (tmp_path / "out" / "places.csv").exists()


def test_loading_places_leaves_the_plan_indicators_unchanged(geo, tmp_path):
    run_import(write_folder(tmp_path / "in"))
    territory = parse_territory("departement:13")

    def figures():
        return [
            (f.indicator_code, f.scope, f.year, f.territory_code, f.value, f.record_ids)
            for f in bilan_compute(
                territory=territory, start=datetime.date(2019, 1, 1), end=datetime.date(2024, 12, 31)
            )
        ]

    before = figures()
    # Sites' capacities, the lease and the move-in of BASE are counted: the comparison is not of zeros.
    assert {code for code, scope, _, _, value, _ in before if scope == "total" and value} >= {
        "places_iml_ouvertes",
        "attributions_total",
        "entrees_logement",
    }
    run_import(write_folder(tmp_path / "places", **PLACE_FILES))

    assert Place.objects.count() == 4
    assert figures() == before


def test_a_household_moved_to_another_place_frees_the_first_one(geo, tmp_path):
    run_import(write_folder(tmp_path / "in", **PLACE_FILES))
    # P2's proposal on PL2 is withdrawn, and P2 proposed on PL3 instead, in the same folder.
    places = PLACES.replace("proposee,2024-03-01,2024-01-10,,P2", "vacante,2024-03-05,2024-01-10,,").replace(
        "vacante,2024-02-01,2023-11-01,,", "proposee,2024-03-10,2023-11-01,,P2"
    )
    proposals = PROPOSALS.replace("2024-03-01,en_attente,,,", "2024-03-01,retiree,,2024-03-05,") + (
        "PL3,P2,2024-03-10,en_attente,,,2020-03-01,\n"
    )

    lines = run_import(
        write_folder(tmp_path / "fix", places_csv=places, proposals_csv=proposals, occupancies_csv=OCCUPANCIES)
    )

    assert "places.csv : 0 créé(s), 2 mis à jour, 2 inchangé(s)" in lines
    assert "proposals.csv : 1 créé(s), 1 mis à jour, 3 inchangé(s)" in lines
    first, second = Place.objects.get(external_id="PL2"), Place.objects.get(external_id="PL3")
    assert (first.state, first.pathway) == (PlaceState.VACANT, None)
    assert (second.state, second.pathway.external_id, second.vacant_since) == (
        PlaceState.PROPOSED,
        "P2",
        datetime.date(2023, 11, 1),
    )
    assert Proposal.objects.pending().get().place == second
