import pytest
from django.core.exceptions import ValidationError

from accounts.enums import Role
from accounts.models import User


def territory_errors(**fields):
    user = User(username="dominique", **fields)
    with pytest.raises(ValidationError) as error:
        user.clean()
    return error.value.message_dict["territories"]


@pytest.mark.parametrize(
    ("role", "territories"),
    [
        (Role.CASEWORKER, ""),
        (Role.COORDINATOR, "departement:13"),
        (Role.COORDINATOR, "departement:13 epci:200030195"),
        (Role.ADMINISTRATOR, "region:93"),
        (Role.ADMINISTRATOR, "france"),
        (Role.OBSERVER, "commune:13201"),
    ],
)
def test_valid_scopes(geo, role, territories):
    User(username="dominique", role=role, territories=territories).clean()


def test_unknown_or_malformed_codes(geo):
    assert territory_errors(role=Role.COORDINATOR, territories="departement:99 dep13") == [
        "Territoire inconnu : aucun(e) département de code « 99 ».",
        "Territoire « dep13 » invalide : utilisez france, region:CODE, departement:CODE, epci:SIREN ou commune:CODE.",
    ]


def test_scope_kinds_follow_the_role(geo):
    assert territory_errors(role=Role.COORDINATOR, territories="region:93") == [
        "Le territoire « region:93 » ne convient pas au rôle Coordination (SIAO, DDETS)."
    ]
    assert territory_errors(role=Role.CASEWORKER, territories="departement:13") == [
        "Le territoire « departement:13 » ne convient pas au rôle Référent ou référente."
    ]
    assert territory_errors(role=Role.ADMINISTRATOR, territories="region:93 departement:13") == [
        "Ce rôle porte sur un seul territoire."
    ]
    assert territory_errors(role=Role.OBSERVER, territories="") == ["Indiquez le territoire de ce rôle."]
