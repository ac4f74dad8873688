import pytest
from django.urls import reverse

from accounts.enums import Role
from accounts.groups import reference_data_group
from accounts.models import User
from tests.accounts.factories import UserFactory
from tests.territories.factories import StructureFactory


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", role="", is_staff=True, is_superuser=True)


def user_form(**changes):
    data = {
        "username": "dominique",
        "first_name": "Dominique",
        "last_name": "Rey",
        "email": "",
        "role": Role.COORDINATOR,
        "territories": "departement:13",
        "is_active": "on",
        "date_joined_0": "01/01/2026",
        "date_joined_1": "09:00:00",
    }
    data.update(changes)
    return data


def test_the_user_admin_validates_the_scope_in_french(client, geo, superuser):
    user = UserFactory(username="dominique", coordinator=True)
    client.force_login(superuser)
    url = reverse("admin:accounts_user_change", args=[user.pk])

    response = client.post(url, user_form(territories="region:93"))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["territories"] == [
        "Le territoire « region:93 » ne convient pas au rôle Coordination (SIAO, DDETS)."
    ]
    user.refresh_from_db()
    assert user.territories == "departement:13"

    response = client.post(url, user_form(territories="departement:13 epci:200030195"))
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.territories == "departement:13 epci:200030195"


def test_the_user_list_shows_role_and_scope(client, geo, superuser):
    UserFactory(username="dominique", coordinator=True)
    UserFactory(username="sacha", structures=[StructureFactory(name="Logis Solidaire Provence")])
    client.force_login(superuser)

    response = client.get(reverse("admin:accounts_user_changelist"))

    content = response.content.decode()
    assert "Coordination (SIAO, DDETS)" in content
    assert "departement:13" in content
    assert "Logis Solidaire Provence" in content
    assert "Rôle et périmètre" in client.get(reverse("admin:accounts_user_add")).content.decode()


@pytest.fixture
def administration(geo):
    """The demo's administrator: staff, in the reference-data group."""
    user = UserFactory(username="administration", administrator=True, is_staff=True)
    user.groups.add(reference_data_group())
    return user


def test_an_administrator_manages_reference_data_and_accounts_but_sees_no_pathway(client, administration):
    client.force_login(administration)

    index = client.get(reverse("admin:index"))
    apps = {app["app_label"] for app in index.context["app_list"]}
    assert apps == {"accounts", "territories"}
    for name in ("territories_structure", "territories_site", "territories_label", "accounts_user"):
        assert client.get(reverse(f"admin:{name}_add")).status_code == 200
    assert client.get(reverse("admin:territories_commune_changelist")).status_code == 200
    # The geography comes from the official files: read-only here.
    assert (
        client.get(reverse("admin:territories_commune_change", args=["13055"])).context["has_change_permission"]
        is False
    )
    assert client.get("/admin/pathways/pathway/").status_code == 404


def test_an_administrator_cannot_grant_privileges_nor_touch_a_superuser(client, administration, superuser):
    coordinator = UserFactory(username="dominique", coordinator=True)
    client.force_login(administration)

    response = client.post(
        reverse("admin:accounts_user_change", args=[coordinator.pk]),
        user_form(is_superuser="on", territories="departement:06"),
    )

    assert response.status_code == 302
    coordinator.refresh_from_db()
    assert (coordinator.territories, coordinator.is_superuser) == ("departement:06", False)
    assert (
        client.get(reverse("admin:accounts_user_change", args=[superuser.pk])).context["has_change_permission"] is False
    )
    response = client.post(reverse("admin:accounts_user_delete", args=[superuser.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert User.objects.filter(pk=superuser.pk).exists()
