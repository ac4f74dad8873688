import pytest
from django.urls import reverse

from territories.geography import load_geography
from tests.accounts.factories import UserFactory
from tests.territories.factories import LabelFactory, SiteFactory, StructureFactory


@pytest.fixture
def superuser_client(client, db):
    client.force_login(UserFactory(username="root", role="", is_staff=True, is_superuser=True))
    return client


def test_the_commune_list_filtered_on_region_93_holds_946_communes(superuser_client):
    load_geography()

    response = superuser_client.get(reverse("admin:territories_commune_changelist"), {"region__code__exact": "93"})

    assert response.status_code == 200
    assert response.context["cl"].result_count == 946
    assert "946 communes" in response.content.decode()


def test_reference_data_pages_open(superuser_client, geo):
    site = SiteFactory(commune=geo.nice, structure=StructureFactory(commune=geo.nice))
    label = LabelFactory(epci=geo.nca)
    user = UserFactory(coordinator=True)
    pages = [
        reverse(f"admin:{name}_changelist")
        for name in ("territories_structure", "territories_site", "territories_label", "accounts_user")
    ] + [
        reverse("admin:territories_structure_change", args=[site.structure.pk]),
        reverse("admin:territories_site_change", args=[site.pk]),
        reverse("admin:territories_label_change", args=[label.pk]),
        reverse("admin:accounts_user_change", args=[user.pk]),
        reverse("admin:territories_commune_changelist") + "?q=marseille",
    ]

    for page in pages:
        assert superuser_client.get(page).status_code == 200, page
