"""The composition rules (pathways.composition) and the services that apply them."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from pathways import services
from pathways.composition import composition_errors, headcount, is_adult
from pathways.models import Household

D = datetime.date
ON = D(2026, 6, 15)


def person(born=None, relationship="autre"):
    return {"birth_date": born, "relationship": relationship}


def test_a_person_is_an_adult_from_the_18th_birthday():
    assert is_adult(D(2008, 6, 15), ON) and not is_adult(D(2008, 6, 16), ON)
    # Born on 29 February: of age on 1 March.
    assert not is_adult(D(2008, 2, 29), D(2026, 2, 28)) and is_adult(D(2008, 2, 29), D(2026, 3, 1))


def test_headcount_counts_unknown_ages_by_relationship_when_deriving():
    count = headcount(
        [person(D(1990, 1, 1), "reference"), person(D(2015, 1, 1), "enfant"), person(None, "enfant"), person()], on=ON
    )
    assert (count.adults, count.children, count.unknown, count.total) == (1, 1, 2, 4)
    assert count.derived() == (2, 2)


def test_a_coherent_household_has_no_error():
    members = [person(D(1990, 1, 1), "reference"), person(D(2015, 1, 1), "enfant")]
    assert composition_errors(composition="famille_monoparentale", adults=1, children=1, members=members, on=ON) == {}
    # A person without a birth date may be either.
    members = [person(D(1990, 1, 1), "reference"), person(None, "conjoint")]
    assert composition_errors(composition="famille_monoparentale", adults=1, children=1, members=members, on=ON) == {}


def test_the_issue_s_household_is_refused_on_every_count():
    members = [person(D(1980, 1, 1), "reference"), person(D(1982, 1, 1), "reference")] + [
        person(D(2015, 1, 1), "enfant") for _ in range(3)
    ]
    errors = composition_errors(composition="personne_seule", adults=2, children=3, members=members, on=ON)
    assert errors == {
        "members": ["2 personnes sont indiquées comme personne de référence : une seule est possible."],
        "composition": [
            "« Personne seule » compte 1 adulte, pas 2.",
            "« Personne seule » ne compte pas d'enfant : vous en indiquez 3.",
        ],
    }


def test_counts_that_differ_from_the_people_are_refused():
    members = [person(D(1980, 1, 1), "reference"), person(D(1981, 1, 1), "conjoint"), person(D(2015, 1, 1), "enfant")]
    errors = composition_errors(composition="autre", adults=1, children=1, members=members, on=ON)
    assert errors == {
        "members": [
            "Vous indiquez 2 personnes (1 adulte, 1 enfant) mais en avez saisi 3 : saisissez chaque personne du "
            "ménage ou corrigez les nombres."
        ],
        "adults": ["2 personnes saisies sont majeures (nées le 15/06/2008 ou avant) : indiquez au moins 2 adultes."],
    }
    errors = composition_errors(composition="autre", adults=3, children=0, members=members, on=ON)
    assert errors["children"] == [
        "1 personne saisie est mineure (née après le 15/06/2008) : indiquez au moins 1 enfant."
    ]


@pytest.mark.parametrize(
    ("composition", "adults", "children", "message"),
    [
        ("couple_sans_enfant", 2, 1, "« Couple sans enfant » ne compte pas d'enfant : vous en indiquez 1."),
        ("couple_avec_enfants", 2, 0, "« Couple avec enfants » compte au moins un enfant."),
        ("famille_monoparentale", 2, 1, "« Famille monoparentale » compte 1 adulte, pas 2."),
    ],
)
def test_the_composition_follows_the_counts(composition, adults, children, message):
    members = [person(relationship="reference")] + [person() for _ in range(adults + children - 1)]
    assert composition_errors(composition=composition, adults=adults, children=children, members=members, on=ON) == {
        "composition": [message]
    }


def test_no_reference_person_is_refused():
    errors = composition_errors(composition="personne_seule", adults=1, children=0, members=[person()], on=ON)
    assert errors == {"members": ["Indiquez la personne de référence du ménage : une personne, et une seule."]}


def test_household_create_refuses_a_contradiction_and_writes_nothing(db):
    with pytest.raises(ValidationError) as error:
        services.household_create(
            composition="personne_seule",
            adults=1,
            children=0,
            created_on=ON,
            members=[
                {"last_name": "Martin", "relationship": "reference"},
                {"last_name": "Martin", "relationship": "enfant", "birth_date": D(2020, 1, 1)},
            ],
        )
    assert error.value.message_dict["children"] == [
        "1 personne saisie est mineure (née après le 15/06/2008) : indiquez au moins 1 enfant."
    ]
    assert Household.objects.count() == 0


def test_household_update_judges_the_people_it_keeps(db):
    household = services.household_create(
        composition="couple_sans_enfant",
        adults=2,
        children=0,
        members=[
            {"last_name": "Martin", "relationship": "reference"},
            {"last_name": "Roux", "relationship": "conjoint"},
        ],
    )
    roux = household.members.get(last_name="Roux")
    with pytest.raises(ValidationError) as error:
        # Removing a person without changing the counts contradicts them.
        services.household_update(household=household, members=[], removed=[roux.pk])
    assert "mais en avez saisi 1" in error.value.messages[0]
    assert household.members.count() == 2
    services.household_update(
        household=household, members=[], removed=[roux.pk], composition="personne_seule", adults=1
    )
    assert household.members.count() == 1
