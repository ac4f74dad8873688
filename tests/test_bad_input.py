"""Bad input gets a French answer, never a server error: NUL characters (PostgreSQL refuses them in
text), bilan periods beyond the plan years, absurd dates and numbers, malformed formset counts."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reports.models import BilanRun
from reports.periods import FIRST_DAY, MAX_YEARS, last_day, period_error
from tests.accounts.factories import UserFactory
from tests.web.queues_scenario import make_scenario

pytestmark = pytest.mark.django_db

NUL_TITLE = "<h1>Caractère non autorisé</h1>"


def assert_refused_for_nul(response):
    page = response.content.decode()
    assert response.status_code == 400
    assert NUL_TITLE in page
    assert "Caractère non autorisé dans la demande" in page


@pytest.mark.parametrize(
    "query",
    [
        {"commune": "Mar\x00seille"},
        {"etape": "\x00"},
        {"page": "1\x00"},
        {"tri\x00": "attente_desc"},
    ],
)
def test_a_nul_in_a_queue_filter_is_refused_in_french(client, geo, query):
    scenario = make_scenario(geo)
    client.force_login(scenario.coordinator)
    assert client.get(reverse("queues:list"), {"commune": "Marseille"}).status_code == 200
    assert_refused_for_nul(client.get(reverse("queues:list"), query))


def test_a_nul_in_a_posted_form_is_refused_and_nothing_is_written(client, geo):
    scenario = make_scenario(geo)
    client.force_login(scenario.sam)
    url = reverse("casework:household_edit", args=[scenario.durand.household_id])
    members_before = list(scenario.durand.household.members.values_list("last_name", flat=True))
    response = client.post(
        url,
        {
            "composition": "personne_seule",
            "adults": "1",
            "children": "0",
            "members-TOTAL_FORMS": "1",
            "members-INITIAL_FORMS": "0",
            "members-0-last_name": "Du\x00rand",
            "members-0-relationship": "reference",
        },
    )
    assert_refused_for_nul(response)
    assert list(scenario.durand.household.members.values_list("last_name", flat=True)) == members_before


def test_a_nul_in_an_admin_changelist_filter_is_refused(client):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    assert_refused_for_nul(client.get("/admin/territories/structure/", {"q": "\x00"}))
    assert_refused_for_nul(client.get("/admin/territories/structure/", {"commune__departement\x00": "13"}))


def test_a_nul_in_the_path_or_a_cookie_is_refused_before_any_query(client):
    assert_refused_for_nul(client.get("/menages/%00/"))
    # Sent as the octal escape "\\000abc", which Django's cookie parsing turns back into a NUL.
    client.cookies["sessionid"] = "\x00abc"
    assert_refused_for_nul(client.get(reverse("login")))


def test_the_nul_page_is_standalone_french_and_carries_the_security_headers():
    response = Client().post(reverse("login"), {"username": "a\x00", "password": "x"})
    assert_refused_for_nul(response)
    assert "no-store" in response.headers["Cache-Control"]
    assert "Content-Security-Policy" in response.headers
    assert "Bad Request" not in response.content.decode()


def test_nul_free_input_passes_through(client, geo):
    scenario = make_scenario(geo)
    client.force_login(scenario.coordinator)
    assert client.get(reverse("queues:list"), {"commune": "Marseille 0"}).status_code == 200


# Bilan periods: from the first plan to the end of next year, ten calendar years at most.


@pytest.fixture
def administrator():
    return UserFactory(username="dreets", administrator=True)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"period_kind": "year", "year": "2017"}, "year", "L&#x27;année doit être comprise entre 2018 et"),
        ({"period_kind": "year", "year": "99999"}, "year", "L&#x27;année doit être comprise entre 2018 et"),
        ({"period_kind": "year", "year": str(2**70)}, "year", "L&#x27;année doit être comprise entre 2018 et"),
        (
            {"period_kind": "custom", "start": "0001-01-01", "end": "2020-12-31"},
            "start",
            "La période commence au plus tôt le 01/01/2018, début du premier plan Logement d&#x27;abord.",
        ),
        (
            {"period_kind": "custom", "start": "2020-01-01", "end": "9999-12-31"},
            "end",
            "La période se termine au plus tard le 31/12/",
        ),
        ({"period_kind": "custom", "start": "2020-01-01", "end": "99999-12-31"}, "end", "Saisissez une date valide."),
        ({"period_kind": "custom", "start": "01/13/2020", "end": "2020-12-31"}, "start", "Saisissez une date valide."),
    ],
)
def test_a_bilan_period_beyond_the_plan_years_is_refused_in_french(client, geo, administrator, data, field, message):
    client.force_login(administrator)
    response = client.post(reverse("reports:run_request"), {"territory": "region:93", **data})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert message in response.content.decode()
    assert not BilanRun.objects.exists()


def test_a_bilan_period_is_ten_calendar_years_at_most(monkeypatch):
    # Far enough in the future, the window from 2018 to next year is longer than ten years.
    monkeypatch.setattr("reports.periods.timezone.localdate", lambda: datetime.date(2040, 6, 1))
    assert period_error(datetime.date(2018, 1, 1), datetime.date(2027, 12, 31)) is None
    assert period_error(datetime.date(2018, 1, 1), datetime.date(2028, 1, 1)) == (
        f"Une période couvre au plus {MAX_YEARS} années civiles."
    )


def test_the_bounds_follow_the_plans_and_next_year():
    assert datetime.date(2018, 1, 1) == FIRST_DAY
    assert last_day(datetime.date(2026, 5, 1)) == datetime.date(2027, 12, 31)
    assert last_day(datetime.date(2030, 5, 1)) == datetime.date(2031, 12, 31)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("0001-01-01", "2020-12-31", "La période commence au plus tôt le 01/01/2018"),
        ("2020-01-01", "9999-12-31", "La période se termine au plus tard le 31/12/"),
    ],
)
def test_the_bilan_command_refuses_a_period_beyond_the_plan_years(geo, start, end, message):
    with pytest.raises(CommandError, match=message):
        call_command("bilan", "--territory", "region:93", "--start", start, "--end", end)


def test_a_target_period_beyond_the_plan_years_is_refused(client, geo, administrator):
    client.force_login(administrator)
    response = client.post(
        reverse("reports:targets"),
        {
            "territory": "region:93",
            "indicator": "places_iml_creees",
            "value": "100",
            "period_kind": "custom",
            "start": "2020-01-01",
            "end": "9999-12-31",
        },
    )
    assert response.status_code == 200
    assert "La période se termine au plus tard le 31/12/" in response.content.decode()


# The household forms' member formset, with forged management counts.


def household_post(**members):
    return {
        "composition": "personne_seule",
        "adults": "1",
        "children": "0",
        "members-TOTAL_FORMS": "1",
        "members-INITIAL_FORMS": "0",
        "members-0-last_name": "Martin",
        "members-0-relationship": "reference",
        **members,
    }


@pytest.mark.parametrize("total", ["abc", "-1", "99999999999999999999", ""])
def test_adding_a_row_with_a_forged_count_still_shows_the_form(client, geo, total):
    scenario = make_scenario(geo)
    client.force_login(scenario.sam)
    for url in (
        reverse("casework:household_new"),
        reverse("casework:household_edit", args=[scenario.durand.household_id]),
    ):
        response = client.post(url, household_post(**{"members-TOTAL_FORMS": total, "ajouter_personne": "1"}))
        assert response.status_code == 200, url
        rows = len(response.context["formset"].forms)
        assert 1 <= rows <= 30, url


@pytest.mark.parametrize("field", ["members-TOTAL_FORMS", "members-INITIAL_FORMS"])
def test_a_forged_count_is_explained_in_french_and_nothing_is_saved(client, geo, field):
    scenario = make_scenario(geo)
    household = scenario.durand.household
    client.force_login(scenario.sam)
    for url in (reverse("casework:household_new"), reverse("casework:household_edit", args=[household.pk])):
        response = client.post(url, household_post(**{field: "abc"}))
        page = response.content.decode()
        assert response.status_code == 200, url
        assert "Le formulaire envoyé est incomplet (champs cachés manquants ou modifiés)." in page, url
        assert "ManagementForm" not in page and "bug" not in page, url
    assert list(household.members.values_list("last_name", flat=True)) == ["Durand"]


def test_a_huge_count_is_refused_without_building_the_rows(client, geo):
    scenario = make_scenario(geo)
    client.force_login(scenario.sam)
    households_before = scenario.durand.household.__class__.objects.count()
    response = client.post(reverse("casework:household_new"), household_post(**{"members-TOTAL_FORMS": str(2**70)}))
    assert response.status_code == 200
    assert "Un ménage compte au plus 30 personnes dans ce formulaire." in response.content.decode()
    assert len(response.context["formset"].forms) <= 30
    assert scenario.durand.household.__class__.objects.count() == households_before


# Dates and numbers of the casework forms.


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "9999-12-31"])
def test_an_absurd_contact_date_is_refused_next_to_its_field(client, geo, day):
    scenario = make_scenario(geo)
    pathway = scenario.durand
    client.force_login(scenario.sam)
    prefix = f"contact{pathway.pk}"
    response = client.post(
        reverse("casework:record_contact", args=[pathway.pk]),
        {f"{prefix}-kind": "visite", f"{prefix}-date": day, f"{prefix}-version": str(pathway.version)},
    )
    page = response.content.decode()
    assert response.status_code == 200
    latest = timezone.localdate().year + 10
    assert f"Saisissez une date entre le 01/01/1900 et le 31/12/{latest}." in page
    assert not pathway.contacts.exists()


def test_a_birth_date_before_1900_is_refused(client, geo):
    scenario = make_scenario(geo)
    client.force_login(scenario.sam)
    response = client.post(reverse("casework:household_new"), household_post(**{"members-0-birth_date": "0001-01-01"}))
    assert "Saisissez une date entre le 01/01/1900 et le" in response.content.decode()
    assert "birth_date" in response.context["formset"].forms[0].errors


@pytest.mark.parametrize("version", [str(2**70), str(-(2**70))])
def test_a_huge_number_in_a_form_is_refused_not_sent_to_the_database(client, geo, version):
    scenario = make_scenario(geo)
    pathway = scenario.durand
    client.force_login(scenario.sam)
    prefix = f"contact{pathway.pk}"
    response = client.post(
        reverse("casework:record_contact", args=[pathway.pk]),
        {f"{prefix}-kind": "visite", f"{prefix}-date": "2024-01-01", f"{prefix}-version": version},
    )
    assert response.status_code == 200
    assert not pathway.contacts.exists()
    children = client.post(reverse("casework:household_new"), household_post(children=str(2**70)))
    assert "Ce nombre est bien trop grand." in children.content.decode()


# Queue filters and page numbers: a French message or an empty list, never a server error.


@pytest.mark.parametrize(
    "query",
    [
        {"page": "abc"},
        {"page": "-1"},
        {"page": "99999999999999999999"},
        {"structure": str(2**70)},
        {"referent": "-1"},
        {"epci": "abc"},
        {"etape": "inconnue"},
        {"tri": "inconnu"},
        {"attente_min": str(2**70)},
        {"attente_max": "-5"},
        {"attente_min": "1e400"},
        {"bloques": "peut-être"},
        {"commune": "x" * 5000},
        {"dalo": "9999-12-31"},
    ],
)
def test_malformed_queue_filters_never_fail(client, geo, query):
    scenario = make_scenario(geo)
    client.force_login(scenario.coordinator)
    for name in ("queues:list", "queues:stalled"):
        response = client.get(reverse(name), query)
        assert response.status_code in (200, 404), (name, query)
    # The export refuses invalid filters with a French sentence rather than export another list.
    export = client.get(reverse("queues:export_csv"), query)
    assert export.status_code == 200 or (
        export.status_code == 400 and "Les filtres de cette file sont invalides" in export.content.decode()
    )


def test_a_huge_waiting_filter_is_explained_in_french(client, geo):
    scenario = make_scenario(geo)
    client.force_login(scenario.coordinator)
    page = client.get(reverse("queues:list"), {"attente_min": str(2**70)}).content.decode()
    assert "Assurez-vous que cette valeur est inférieure ou égale à 36500." in page


@pytest.mark.parametrize("field", ["adults", "children"])
def test_a_household_size_beyond_reason_is_refused_before_the_database(client, geo, field):
    # Stored in a small integer column: PostgreSQL would refuse 40000 with a server error.
    scenario = make_scenario(geo)
    client.force_login(scenario.sam)
    household = scenario.durand.household
    member = household.members.get()
    url = reverse("casework:household_edit", args=[household.pk])
    data = {"version": str(household.version), "members-INITIAL_FORMS": "1", "members-0-id": str(member.pk)}
    assert client.post(url, household_post(**data)).status_code == 302  # the same post, within reason
    household.refresh_from_db()
    data["version"] = str(household.version)
    response = client.post(url, household_post(**data, **{field: "40000"}))
    assert response.status_code == 200
    assert "Assurez-vous que cette valeur est inférieure ou égale à 99." in response.content.decode()
