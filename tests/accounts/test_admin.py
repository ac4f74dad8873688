"""Accounts in the Django admin: administrators manage their own territory's accounts only, never their own
role or scope, never a password; privileges follow from the role; every change is audited."""

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.enums import Role
from accounts.groups import REFERENCE_DATA_GROUP, reference_data_group
from accounts.models import Invitation, User
from audit.enums import Action
from audit.models import AuditEvent
from tests.accounts.factories import UserFactory
from tests.pathways.factories import HouseholdFactory
from tests.territories.factories import StructureFactory

OUTSIDE_MESSAGE = (
    "Le territoire « departement:75 » n'est pas dans votre territoire (Provence-Alpes-Côte d'Azur) : vous ne "
    "gérez que les comptes de votre territoire."
)
NOT_DELETABLE = "Un compte qui a saisi des données ne peut pas être supprimé : désactivez-le."


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", role="", is_superuser=True)


@pytest.fixture
def administration(geo):
    """The demo's administrator: region 93, staff, in the reference-data group (both derived from the role)."""
    return UserFactory(username="administration", administrator=True, email="admin@region.invalid")


def user_form(**changes):
    data = {
        "username": "dominique",
        "first_name": "Dominique",
        "last_name": "Rey",
        "email": "dominique@exemple.invalid",
        "role": Role.COORDINATOR,
        "territories": "departement:13",
        "is_active": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def change_url(user):
    return reverse("admin:accounts_user_change", args=[user.pk])


def test_the_user_admin_validates_the_scope_in_french(client, geo, superuser):
    user = UserFactory(username="dominique", coordinator=True)
    client.force_login(superuser)

    response = client.post(change_url(user), user_form(territories="region:93"))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["territories"] == [
        "Le territoire « region:93 » ne convient pas au rôle Coordination (SIAO, DDETS)."
    ]
    user.refresh_from_db()
    assert user.territories == "departement:13"

    response = client.post(change_url(user), user_form(territories="departement:13 epci:200030195"))
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
    # The lockout records are the superusers' (they unlock by deleting one).
    assert client.get("/admin/axes/accessattempt/").status_code == 403


# Inside their own territory only -------------------------------------------------------------------------


def test_an_administrator_lists_and_opens_only_the_accounts_of_their_territory(client, geo, administration):
    inside = {
        UserFactory(username="coord13", coordinator=True),
        UserFactory(username="obs-epci", observer=True, territories="epci:200030195"),
        UserFactory(username="admin84", administrator=True, territories="departement:84"),
        UserFactory(username="ref13", structures=[StructureFactory(commune=geo.marseille)]),
        administration,
    }
    outside = {
        UserFactory(username="coord75", coordinator=True, territories="departement:75"),
        UserFactory(username="coord-both", coordinator=True, territories="departement:13 departement:75"),
        UserFactory(username="obs-france", observer=True, territories="france"),
        UserFactory(
            username="ref-both",
            structures=[StructureFactory(commune=geo.marseille), StructureFactory(commune=geo.paris)],
        ),
        UserFactory(username="ref-none"),
        UserFactory(username="root", role="", is_superuser=True),
    }
    client.force_login(administration)

    response = client.get(reverse("admin:accounts_user_changelist"))

    assert set(response.context["cl"].result_list) == inside
    for user in outside:
        response = client.get(change_url(user))
        assert response.status_code == 302, user.username  # "does not exist", back to the admin index
        assert client.post(change_url(user), user_form(username=user.username)).status_code == 302
    assert User.objects.get(username="coord75").territories == "departement:75"


def test_an_account_outside_the_territory_is_refused_in_french(client, geo, administration):
    client.force_login(administration)

    response = client.post(reverse("admin:accounts_user_add"), user_form(territories="departement:75"))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["territories"] == [OUTSIDE_MESSAGE]
    assert not User.objects.filter(username="dominique").exists()

    coordinator = UserFactory(username="dominique", coordinator=True)
    response = client.post(change_url(coordinator), user_form(territories="departement:13 departement:75"))
    assert response.context["adminform"].form.errors["territories"] == [OUTSIDE_MESSAGE]
    coordinator.refresh_from_db()
    assert coordinator.territories == "departement:13"


def test_a_caseworker_gets_only_structures_of_the_territory(client, geo, administration):
    marseille = StructureFactory(name="Logis Solidaire Provence", commune=geo.marseille)
    paris = StructureFactory(name="Accueil Paris", commune=geo.paris)
    client.force_login(administration)

    form = client.get(reverse("admin:accounts_user_add")).context["adminform"].form
    assert list(form.fields["structures"].queryset) == [marseille]
    response = client.post(
        reverse("admin:accounts_user_add"),
        user_form(role=Role.CASEWORKER, territories="", structures=[marseille.pk, paris.pk]),
    )
    assert "structures" in response.context["adminform"].form.errors
    response = client.post(
        reverse("admin:accounts_user_add"), user_form(role=Role.CASEWORKER, territories="", structures=[marseille.pk])
    )
    assert response.status_code == 302
    assert list(User.objects.get(username="dominique").structures.all()) == [marseille]


def test_an_administrator_never_changes_their_own_role_or_scope(client, geo, administration):
    client.force_login(administration)

    response = client.get(change_url(administration))
    form = response.context["adminform"].form
    assert {"role", "territories", "structures", "is_active"}.isdisjoint(form.fields)
    client.post(
        change_url(administration),
        user_form(username="administration", role=Role.COORDINATOR, territories="departement:13", first_name="Luc"),
    )

    administration.refresh_from_db()
    assert (administration.role, administration.territories, administration.is_staff) == (
        Role.ADMINISTRATOR,
        "region:93",
        True,
    )
    assert administration.first_name == "Luc"


def test_an_administrator_cannot_grant_privileges_nor_touch_a_superuser(client, administration, superuser):
    coordinator = UserFactory(username="dominique", coordinator=True)
    client.force_login(administration)

    response = client.post(
        change_url(coordinator),
        user_form(is_superuser="on", is_staff="on", territories="departement:06", groups=[reference_data_group().pk]),
    )

    assert response.status_code == 302
    coordinator.refresh_from_db()
    assert (coordinator.territories, coordinator.is_superuser, coordinator.is_staff) == ("departement:06", False, False)
    assert not coordinator.groups.exists()
    assert client.get(change_url(superuser)).status_code == 302
    response = client.post(reverse("admin:accounts_user_delete", args=[superuser.pk]), {"post": "yes"})
    assert User.objects.filter(pk=superuser.pk).exists()


def test_nobody_but_a_superuser_sets_another_persons_password(client, administration, superuser):
    coordinator = UserFactory(username="dominique", coordinator=True)
    client.force_login(administration)

    form = client.get(change_url(coordinator)).context["adminform"].form
    assert "password" not in form.fields
    password_url = reverse("admin:auth_user_password_change", args=[coordinator.pk])
    response = client.post(password_url, {"password1": "un-autre-mot-de-passe", "password2": "un-autre-mot-de-passe"})
    assert response.status_code == 403
    coordinator.refresh_from_db()
    assert coordinator.check_password("motdepasse-de-test")

    client.force_login(superuser)
    assert client.get(password_url).status_code == 200


# Privileges follow from the role -------------------------------------------------------------------------


def test_is_staff_and_groups_follow_from_the_role(db):
    administrator = UserFactory(administrator=True)
    assert administrator.is_staff
    assert list(administrator.groups.values_list("name", flat=True)) == [REFERENCE_DATA_GROUP]

    administrator.role = Role.COORDINATOR
    administrator.territories = "departement:13"
    administrator.save()
    administrator.refresh_from_db()
    assert (administrator.is_staff, administrator.groups.count()) == (False, 0)

    caseworker = UserFactory(caseworker=True, is_staff=True)
    caseworker.groups.add(reference_data_group())
    caseworker.save()
    assert (User.objects.get(pk=caseworker.pk).is_staff, caseworker.groups.count()) == (False, 0)
    assert UserFactory(role="", is_superuser=True).is_staff


def test_a_change_of_role_scope_structures_or_activation_ends_that_accounts_sessions(db, geo):
    coordinator = UserFactory(coordinator=True)
    other = UserFactory(coordinator=True)
    caseworker = UserFactory(structures=[StructureFactory(commune=geo.marseille)])

    def signed_in(user):
        Client().force_login(user)

    for user in (coordinator, other, caseworker):
        signed_in(user)
    assert Session.objects.count() == 3

    coordinator = User.objects.get(pk=coordinator.pk)
    coordinator.first_name = "Nouveau prénom"
    coordinator.save()
    assert Session.objects.count() == 3  # a name is no right
    coordinator.territories = "departement:06"
    coordinator.save()
    assert Session.objects.count() == 2
    caseworker.structures.add(StructureFactory(commune=geo.aix))
    assert Session.objects.count() == 1
    other = User.objects.get(pk=other.pk)
    other.is_active = False
    other.save()
    assert Session.objects.count() == 0


# Creation by invitation, audited ---------------------------------------------------------------------


def test_adding_an_account_sends_an_invitation_and_is_audited(client, geo, administration):
    client.force_login(administration)

    response = client.post(reverse("admin:accounts_user_add"), user_form(), REMOTE_ADDR="10.1.2.3")

    assert response.status_code == 302
    user = User.objects.get(username="dominique")
    assert not user.has_usable_password()
    assert (user.is_staff, user.role) == (False, Role.COORDINATOR)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["dominique@exemple.invalid"]
    assert "http://testserver/compte/invitation/" in mail.outbox[0].body
    assert Invitation.objects.get(user=user).created_by == administration
    created = AuditEvent.objects.get(action=Action.CREATE, target="account")
    assert (created.user, created.target_id, created.ip_address) == (administration, user.pk, "10.1.2.3")
    assert created.changes["territories"] == [None, "departement:13"]
    assert AuditEvent.objects.filter(action=Action.UPDATE, target_id=user.pk, detail="invitation envoyée").exists()


def test_an_account_needs_an_email_for_its_invitation(client, geo, administration):
    client.force_login(administration)

    response = client.post(reverse("admin:accounts_user_add"), user_form(email=""))

    assert "email" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="dominique").exists()


def test_resending_the_invitation_replaces_the_link(client, geo, administration):
    client.force_login(administration)
    client.post(reverse("admin:accounts_user_add"), user_form())
    user = User.objects.get(username="dominique")
    first = Invitation.objects.get(user=user)

    response = client.post(
        reverse("admin:accounts_user_changelist"), {"action": "resend_invitation", "_selected_action": [user.pk]}
    )

    assert response.status_code == 302
    assert len(mail.outbox) == 2
    assert list(Invitation.objects.filter(user=user)) != [first]
    assert Invitation.objects.filter(user=user).count() == 1
    # Someone who chose their password gets no invitation.
    user.set_password("un-mot-de-passe-choisi")
    user.save()
    client.post(
        reverse("admin:accounts_user_changelist"), {"action": "resend_invitation", "_selected_action": [user.pk]}
    )
    assert len(mail.outbox) == 2


def test_a_change_of_role_or_scope_is_audited_with_before_and_after(client, geo, administration):
    coordinator = UserFactory(
        username="dominique",
        first_name="Dominique",
        last_name="Rey",
        coordinator=True,
        email="dominique@exemple.invalid",
    )
    client.force_login(administration)

    client.post(change_url(coordinator), user_form(role=Role.OBSERVER, territories="departement:06"))

    event = AuditEvent.objects.get(action=Action.UPDATE, target="account", target_id=coordinator.pk)
    assert event.user == administration
    assert event.changes == {
        "role": [Role.COORDINATOR, Role.OBSERVER],
        "territories": ["departement:13", "departement:06"],
    }


def test_deactivation_is_an_audited_action(client, geo, administration):
    coordinator = UserFactory(username="dominique", coordinator=True)
    client.force_login(administration)

    client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "deactivate", "_selected_action": [coordinator.pk, administration.pk]},
    )

    coordinator.refresh_from_db()
    assert not coordinator.is_active
    assert User.objects.get(pk=administration.pk).is_active  # not themselves
    event = AuditEvent.objects.get(detail="compte désactivé")
    assert event.changes == {"is_active": [True, False]}


# Deactivated, never deleted ------------------------------------------------------------------------------


def test_accounts_that_recorded_anything_are_deactivated_not_deleted(client, geo, administration, superuser):
    quiet = UserFactory(username="dominique", coordinator=True)
    busy = UserFactory(username="sacha", coordinator=True)
    HouseholdFactory(updated_by=busy)

    client.force_login(administration)
    assert client.get(change_url(quiet)).context["has_delete_permission"] is False
    assert client.post(reverse("admin:accounts_user_delete", args=[quiet.pk]), {"post": "yes"}).status_code == 403
    assert NOT_DELETABLE in client.get(change_url(quiet)).content.decode()

    client.force_login(superuser)
    response = client.get(change_url(busy))
    assert response.context["has_delete_permission"] is False
    assert NOT_DELETABLE in response.content.decode()
    assert client.post(reverse("admin:accounts_user_delete", args=[busy.pk]), {"post": "yes"}).status_code == 403
    assert client.post(reverse("admin:accounts_user_delete", args=[quiet.pk]), {"post": "yes"}).status_code == 302
    assert list(User.objects.filter(username__in=["dominique", "sacha"])) == [busy]
