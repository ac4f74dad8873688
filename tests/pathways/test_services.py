import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from pathways import services
from pathways.enums import Composition, ContactKind, MeasureKind, Relationship, SituationKind, Stage
from pathways.models import Assignment, Contact, Household, Measure, Member, Pathway, Situation
from tests.accounts.factories import UserFactory
from tests.pathways.factories import PathwayFactory
from tests.territories.factories import StructureFactory

D = datetime.date


@pytest.fixture
def pathway(geo):
    return PathwayFactory(commune=geo.marseille, opened_on=D(2020, 3, 1))


def tomorrow():
    return timezone.localdate() + datetime.timedelta(days=1)


def messages(error) -> dict:
    return {field: list(errors) for field, errors in error.value.message_dict.items()}


# Situations --------------------------------------------------------------------------------------------


def test_situations_before_the_opening_are_allowed_one_per_day(pathway):
    services.situation_record(pathway=pathway, situation=SituationKind.RUE, since=D(2019, 6, 1), by=None)
    services.situation_record(pathway=pathway, situation=SituationKind.HOTEL_115, since=D(2020, 5, 1), by=None)

    with pytest.raises(ValidationError) as error:
        services.situation_record(pathway=pathway, situation=SituationKind.CHRS, since=D(2020, 5, 1), by=None)

    assert messages(error) == {"since": ["Une situation commence déjà le 01/05/2020 pour ce parcours."]}
    assert list(pathway.situations.values_list("situation", "since")) == [
        ("rue", D(2019, 6, 1)),
        ("hotel_115", D(2020, 5, 1)),
    ]


def test_situation_in_the_future_or_unknown_is_refused_and_nothing_is_written(pathway):
    version = pathway.version

    with pytest.raises(ValidationError) as error:
        services.situation_record(pathway=pathway, situation="palace", since=tomorrow(), by=None)

    assert messages(error) == {
        "situation": ["Situation inconnue : « palace »."],
        "since": ["La date de début ne peut pas être dans le futur."],
    }
    assert Situation.objects.count() == 0
    pathway.refresh_from_db()
    assert pathway.version == version


def test_pathway_open_records_a_situation_that_started_before_the_opening(geo):
    pathway = PathwayFactory(
        commune=geo.nice,
        opened_on=D(2021, 2, 1),
        situation=SituationKind.SQUAT,
        situation_since=D(2020, 11, 15),
    )

    assert list(pathway.situations.values_list("situation", "since")) == [("squat", D(2020, 11, 15))]
    pathway.refresh_from_db()
    assert (pathway.current_situation, pathway.current_situation_since) == ("squat", D(2020, 11, 15))


def test_the_current_situation_is_the_latest_dated_one_whatever_the_order_of_recording(pathway):
    assert (pathway.current_situation, pathway.current_situation_since) == ("", None)

    services.situation_record(pathway=pathway, situation=SituationKind.HOTEL_115, since=D(2020, 5, 1), by=None)
    services.situation_record(pathway=pathway, situation=SituationKind.RUE, since=D(2019, 6, 1), by=None)
    stored = type(pathway).objects.get(pk=pathway.pk)
    assert (stored.current_situation, stored.current_situation_since) == ("hotel_115", D(2020, 5, 1))

    services.situation_record(pathway=pathway, situation=SituationKind.CHRS, since=D(2020, 9, 1), by=None)
    stored.refresh_from_db()
    assert (stored.current_situation, stored.current_situation_since) == ("chrs", D(2020, 9, 1))
    assert (pathway.current_situation, pathway.version) == ("chrs", stored.version)


# Contacts ----------------------------------------------------------------------------------------------


def test_a_contact_moves_the_last_activity_forward_never_back(pathway):
    user = UserFactory()
    services.contact_record(pathway=pathway, on=D(2020, 4, 10), kind=ContactKind.TELEPHONE, by=user)
    pathway.refresh_from_db()
    assert (pathway.last_activity_on, pathway.version) == (D(2020, 4, 10), 2)

    services.contact_record(pathway=pathway, on=D(2020, 3, 20), kind=ContactKind.ENTRETIEN, by=user, note="Bilan")
    pathway.refresh_from_db()
    assert (pathway.last_activity_on, pathway.version) == (D(2020, 4, 10), 3)
    assert list(pathway.contacts.values_list("date", "kind", "recorded_by")) == [
        (D(2020, 3, 20), "entretien", user.pk),
        (D(2020, 4, 10), "telephone", user.pk),
    ]
    # A later transition is later activity too.
    services.pathway_transition(pathway=pathway, to_stage=Stage.EVALUATION, on=D(2020, 5, 2), by=user)
    pathway.refresh_from_db()
    assert pathway.last_activity_on == D(2020, 5, 2)


def test_a_contact_in_the_future_is_refused(pathway):
    with pytest.raises(ValidationError) as error:
        services.contact_record(pathway=pathway, on=tomorrow(), kind=ContactKind.VISITE, by=None)

    assert messages(error) == {"date": ["La date du contact ne peut pas être dans le futur."]}
    assert Contact.objects.count() == 0


# Measures ----------------------------------------------------------------------------------------------


def test_measure_opens_and_closes(pathway):
    provider = StructureFactory(name="Logis Solidaire Provence")
    measure = services.measure_open(
        pathway=pathway, kind=MeasureKind.AVDL_DALO, started_on=D(2020, 4, 1), provider=provider, by=None
    )
    services.measure_close(measure=measure, ended_on=D(2021, 3, 31), by=None)

    measure.refresh_from_db()
    assert (measure.kind, measure.provider, measure.started_on, measure.ended_on) == (
        "avdl_dalo",
        provider,
        D(2020, 4, 1),
        D(2021, 3, 31),
    )


@pytest.mark.parametrize(
    ("ended_on", "message"),
    [
        (D(2020, 3, 31), "La date de fin précède la date de début de la mesure."),
        (None, "La date de fin ne peut pas être dans le futur."),
    ],
)
def test_measure_close_refuses_bad_dates(pathway, ended_on, message):
    measure = services.measure_open(pathway=pathway, kind=MeasureKind.ASLL, started_on=D(2020, 4, 1), by=None)

    with pytest.raises(ValidationError) as error:
        services.measure_close(measure=measure, ended_on=ended_on or tomorrow(), by=None)

    assert messages(error) == {"ended_on": [message]}
    measure.refresh_from_db()
    assert measure.ended_on is None


def test_measure_closes_once(pathway):
    measure = services.measure_open(pathway=pathway, kind=MeasureKind.GLA, started_on=D(2020, 4, 1), by=None)
    services.measure_close(measure=measure, ended_on=D(2020, 6, 1), by=None)

    with pytest.raises(ValidationError) as error:
        services.measure_close(measure=measure, ended_on=D(2020, 7, 1), by=None)

    assert messages(error) == {"ended_on": ["Cette mesure est déjà close."]}
    measure.refresh_from_db()
    assert measure.ended_on == D(2020, 6, 1)


def test_measure_open_refuses_the_future_and_unknown_kinds(pathway):
    with pytest.raises(ValidationError) as error:
        services.measure_open(pathway=pathway, kind=MeasureKind.ASG, started_on=tomorrow(), by=None)
    assert messages(error) == {"started_on": ["La date de début ne peut pas être dans le futur."]}

    with pytest.raises(ValidationError) as error:
        services.measure_open(pathway=pathway, kind="cours_de_cuisine", started_on=D(2020, 4, 1), by=None)
    assert messages(error) == {"kind": ["La valeur «\xa0'cours_de_cuisine'\xa0» n’est pas un choix valide."]}
    assert Measure.objects.count() == 0


# Households --------------------------------------------------------------------------------------------


def test_household_create_with_members(db):
    household = services.household_create(
        composition=Composition.FAMILLE_MONOPARENTALE,
        adults=1,
        children=1,
        created_on=D(2022, 9, 1),
        members=[
            {"last_name": "N'Diaye", "first_name": "Aïcha", "relationship": Relationship.REFERENCE},
            {"last_name": "N'Diaye", "first_name": "Élise", "birth_date": D(2015, 2, 3), "relationship": "enfant"},
        ],
    )

    assert (household.composition, household.size, household.created_on) == ("famille_monoparentale", 2, D(2022, 9, 1))
    assert household.reference == f"M-{household.pk:06d}"
    assert list(household.members.values_list("search_name", "relationship")) == [
        ("ndiaye aicha", "reference"),
        ("ndiaye elise", "enfant"),
    ]


def test_household_create_with_a_bad_member_writes_nothing(db):
    with pytest.raises(ValidationError) as error:
        services.household_create(
            composition=Composition.COUPLE_SANS_ENFANT,
            adults=2,
            children=0,
            members=[{"last_name": "Martin", "first_name": "Léa"}, {"last_name": "", "first_name": "Paul"}],
        )

    assert messages(error) == {"last_name": ["Ce champ ne peut pas être vide."]}
    assert (Household.objects.count(), Member.objects.count()) == (0, 0)


def test_household_update_keeps_changes_adds_and_removes_members(db):
    household = services.household_create(
        composition=Composition.PERSONNE_SEULE,
        adults=1,
        children=0,
        members=[{"last_name": "Durand", "first_name": "Alex"}],
    )
    kept = household.members.get()

    services.household_update(
        household=household,
        composition=Composition.FAMILLE_MONOPARENTALE,
        children=1,
        confidential=True,
        members=[
            {"id": kept.pk, "last_name": "Durand-Lefèvre", "first_name": "Alex"},
            {"last_name": "Durand", "first_name": "Noé", "relationship": Relationship.ENFANT},
        ],
    )

    household.refresh_from_db()
    assert (household.composition, household.children, household.confidential) == ("famille_monoparentale", 1, True)
    assert list(household.members.values_list("pk", "search_name")) == [
        (kept.pk, "durandlefevre alex"),
        (kept.pk + 1, "durand noe"),
    ]

    # A member left out of `members` is kept: only `removed` removes one.
    services.household_update(household=household, members=[{"id": kept.pk, "last_name": "Durand"}])
    assert list(household.members.values_list("pk", "first_name")) == [(kept.pk, "Alex"), (kept.pk + 1, "Noé")]
    services.household_update(
        household=household, composition=Composition.PERSONNE_SEULE, children=0, members=[], removed=[kept.pk + 1]
    )
    assert list(household.members.values_list("pk", "first_name")) == [(kept.pk, "Alex")]
    household.refresh_from_db()
    assert (household.version, household.last_change) == (
        4,
        "composition modifiée, nombre d'enfants modifié, 1 personne retirée",
    )


def test_the_pathways_of_a_household_keep_its_composition(geo):
    household = services.household_create(
        composition=Composition.PERSONNE_SEULE,
        adults=1,
        children=0,
        members=[{"last_name": "Durand", "first_name": "Alex"}],
    )
    first = PathwayFactory(household=household, commune=geo.marseille)
    second = PathwayFactory(household=household, commune=geo.aix)
    other = PathwayFactory(commune=geo.marseille)
    assert first.household_composition == "personne_seule"

    services.household_update(
        household=household,
        composition=Composition.FAMILLE_MONOPARENTALE,
        children=1,
        members=[{"last_name": "Durand", "first_name": "Noé", "relationship": Relationship.ENFANT}],
    )

    compositions = dict(Pathway.objects.values_list("pk", "household_composition"))
    assert compositions == {
        first.pk: "famille_monoparentale",
        second.pk: "famille_monoparentale",
        other.pk: other.household.composition,
    }


# Assignment --------------------------------------------------------------------------------------------


def test_pathway_assign_keeps_the_history(pathway):
    coordinator = UserFactory(coordinator=True)
    first_structure = pathway.referent_structure
    association = StructureFactory(name="Un Toit d'Abord Provence")
    caseworker = UserFactory(structures=[association])

    services.pathway_assign(pathway=pathway, structure=association, caseworker=caseworker, by=coordinator, note="Suivi")

    pathway.refresh_from_db()
    assert (pathway.referent_structure, pathway.caseworker, pathway.version) == (association, caseworker, 2)
    assert list(Assignment.objects.filter(pathway=pathway).values_list("structure", "caseworker", "note")) == [
        (first_structure.pk, None, ""),
        (association.pk, caseworker.pk, "Suivi"),
    ]


def test_pathway_assign_refuses_a_caseworker_of_another_structure_and_stale_forms(pathway):
    association = StructureFactory()
    outsider = UserFactory(structures=[StructureFactory()])

    with pytest.raises(ValidationError) as error:
        services.pathway_assign(pathway=pathway, structure=association, caseworker=outsider, by=None)
    assert messages(error) == {"caseworker": ["Ce référent n'appartient pas à la structure choisie."]}

    with pytest.raises(services.StaleVersionError) as error:
        services.pathway_assign(pathway=pathway, structure=association, by=None, expected_version=7)
    assert error.value.messages == [
        "Ce parcours a été modifié entre-temps par une autre personne : il est maintenant à l'étape "
        "« Demande enregistrée » depuis le 01/03/2020. Vérifiez son état puis recommencez."
    ]
    assert Assignment.objects.filter(pathway=pathway).count() == 1
    pathway.refresh_from_db()
    assert pathway.referent_structure != association
