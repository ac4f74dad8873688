"""Actions on a pathway: each form's happy path and refusal (the domain's French message next to its
field, nothing written), the stale version refused, the htmx partial answer."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from pathways import services
from pathways.models import Contact, Measure, Situation, Transition
from pathways.stages import impossible_move
from tests.pathways.factories import advance
from tests.web.test_casework_fixtures import OPENED
from tests.web.test_casework_fixtures import world as world  # noqa: F401 - the fixture

HTMX = {"HTTP_HX_REQUEST": "true"}


def _post(client, world, name, prefix, fields, *, version=None, pk=None, **extra):
    pk = pk or world.pathway.pk
    world.pathway.refresh_from_db()  # the version the page would show now
    data = {f"{prefix}-{key}": value for key, value in fields.items()}
    data[f"{prefix}-version"] = str(world.pathway.version if version is None else version)
    return client.post(reverse(f"casework:{name}", args=[pk]), data, **extra)


def _stage(client, world, fields, **kwargs):
    return _post(client, world, "record_stage", f"etape{world.pathway.pk}", fields, **kwargs)


def _error(page: str, field_id: str, message: str) -> bool:
    return (
        f'<div class="fr-messages-group" id="{field_id}-desc-error"><p class="fr-message fr-message--error">{message}</p></div>'
        in page
    )


@pytest.mark.django_db
def test_record_the_next_stage(client, world):
    client.force_login(world.ana)
    response = _stage(client, world, {"stage": "evaluation", "date": "2024-02-01"})
    url = reverse("casework:household_detail", args=[world.household.pk])
    assert response.status_code == 302 and response["Location"] == f"{url}#parcours-{world.pathway.pk}"
    world.pathway.refresh_from_db()
    assert (world.pathway.stage, world.pathway.stage_on, world.pathway.version) == (
        "evaluation",
        datetime.date(2024, 2, 1),
        2,
    )
    assert Transition.objects.latest("seq").recorded_by == world.ana
    page = client.get(url).content.decode()
    assert "Étape « Évaluation sociale » enregistrée pour P-" in page


@pytest.mark.django_db
def test_only_the_allowed_stages_the_user_may_record_are_offered(client, world):
    client.force_login(world.ana)
    page = client.get(reverse("casework:household_detail", args=[world.household.pk])).content.decode()
    select = page.split(f'id="id_etape{world.pathway.pk}-stage"')[1].split("</select>")[0]
    assert '<option value="evaluation">' in select and '<option value="deces">' in select
    assert "oriente" not in select and "entree" not in select
    client.force_login(world.coord)
    page = client.get(reverse("casework:household_detail", args=[world.household.pk])).content.decode()
    assert (
        '<option value="oriente">Orienté</option>'
        in page.split(f'id="id_etape{world.pathway.pk}-stage"')[1].split("</select>")[0]
    )


@pytest.mark.django_db
def test_a_step_before_the_previous_one_is_refused_next_to_the_date(client, world):
    client.force_login(world.ana)
    response = _stage(client, world, {"stage": "evaluation", "date": "2024-01-01"})
    page = response.content.decode()
    assert response.status_code == 200
    message = "La date ne peut pas précéder celle de l&#x27;étape précédente (15/01/2024)."
    assert _error(page, f"id_etape{world.pathway.pk}-date", message)
    assert "Une erreur empêche l'enregistrement" in page
    assert Transition.objects.count() == 1


@pytest.mark.django_db
def test_an_impossible_move_is_explained_next_to_the_stage_with_what_this_role_may_do(client, world):
    client.force_login(world.ana)
    page = _stage(client, world, {"stage": "entree", "date": "2024-02-01"}).content.decode()
    # A caseworker is not told to choose "Orienté": the orientation decision is the coordinators'.
    message = (
        "Passage impossible de « Demande enregistrée » à « Entrée dans les lieux ». Étapes possibles : "
        "« Évaluation sociale », « Clôture : perdu de vue », « Clôture : renonciation », "
        "« Clôture : départ du territoire », « Clôture : décès »."
    )
    assert _error(page, f"id_etape{world.pathway.pk}-stage", message)
    assert Transition.objects.count() == 1


@pytest.mark.django_db
def test_a_coordinator_is_offered_the_orientation_in_the_same_refusal(client, world):
    client.force_login(world.coord)
    page = _stage(client, world, {"stage": "entree", "date": "2024-02-01"}).content.decode()
    message = (
        "Passage impossible de « Demande enregistrée » à « Entrée dans les lieux ». Étapes possibles : "
        "« Évaluation sociale », « Orienté », « Clôture : perdu de vue », « Clôture : renonciation », "
        "« Clôture : départ du territoire », « Clôture : décès »."
    )
    assert _error(page, f"id_etape{world.pathway.pk}-stage", message)


def test_a_refusal_with_nothing_left_for_the_role_says_why():
    message = impossible_move("reperage", "entree", [], withheld=True)
    assert message.endswith(
        "Étapes possibles : aucune que votre rôle permet d'enregistrer "
        "(la décision d'orientation revient à la coordination)."
    )
    assert impossible_move("sortie_logee", "entree", []).endswith("Étapes possibles : aucune (parcours clos).")


@pytest.mark.django_db
def test_a_lease_needs_its_housing_and_records_them(client, world):
    advance(
        world.pathway, "evaluation", "attente_orientation", "oriente", "proposition", "caleol", "attribue", on=OPENED
    )
    client.force_login(world.ana)
    page = _stage(
        client, world, {"stage": "bail_signe", "date": "2024-02-01", "housing_kind": "parc_social"}
    ).content.decode()
    assert _error(
        page,
        f"id_etape{world.pathway.pk}-housing_commune",
        "La commune du logement est obligatoire pour un bail signé.",
    )
    assert '<details class="parcours-details" open>' in page
    response = _stage(
        client,
        world,
        {
            "stage": "bail_signe",
            "date": "2024-02-01",
            "housing_kind": "parc_social",
            "housing_commune": "13208",
            "landlord": str(world.abri.pk),
        },
    )
    assert response.status_code == 302
    lease = Transition.objects.latest("seq")
    assert (lease.stage, lease.housing_kind, lease.housing_commune_id, lease.landlord) == (
        "bail_signe",
        "parc_social",
        "13055",
        world.abri,
    )


@pytest.mark.django_db
def test_a_refused_household_needs_a_reason(client, world):
    advance(
        world.pathway, "evaluation", "attente_orientation", "oriente", "proposition", "caleol", "attribue", on=OPENED
    )
    client.force_login(world.coord)
    page = _stage(
        client, world, {"stage": "oriente", "date": "2024-02-01", "orientation": "logement_adapte"}
    ).content.decode()
    assert _error(page, f"id_etape{world.pathway.pk}-reason", "Le motif du refus par le ménage est obligatoire.")
    assert Transition.objects.latest("seq").stage == "attribue"


@pytest.mark.django_db
def test_a_coordinator_records_an_orientation_with_its_target(client, world):
    client.force_login(world.coord)
    page = _stage(client, world, {"stage": "oriente", "date": "2024-02-01"}).content.decode()
    assert _error(page, f"id_etape{world.pathway.pk}-orientation", "Indiquez l&#x27;orientation décidée.")
    assert (
        _stage(
            client, world, {"stage": "oriente", "date": "2024-02-01", "orientation": "un_chez_soi_dabord"}
        ).status_code
        == 302
    )
    assert Transition.objects.latest("seq").orientation == "un_chez_soi_dabord"


@pytest.mark.django_db
def test_a_stale_form_is_refused_and_nothing_is_overwritten(client, world):
    client.force_login(world.ana)
    services.pathway_transition(
        pathway=world.pathway, to_stage="evaluation", on=datetime.date(2024, 2, 1), by=world.bob
    )
    seen = f"demande:{world.pathway.referent_structure_id}:"
    response = _stage(client, world, {"stage": "renonciation", "date": "2024-02-02", "seen": seen}, version=1)
    page = response.content.decode()
    assert 'data-testid="stale-alert"' in page
    assert (
        "Ce parcours a été modifié entre-temps par Bob Autre : son étape est passée de « Demande enregistrée » "
        "à « Évaluation sociale ». Vérifiez son état puis recommencez."
    ) in page
    world.pathway.refresh_from_db()
    assert (world.pathway.stage, world.pathway.version) == ("evaluation", 2)
    # The form shown again carries the new version.
    assert f'name="etape{world.pathway.pk}-version" value="2"' in page
    contact = _post(
        client,
        world,
        "record_contact",
        f"contact{world.pathway.pk}",
        {"kind": "visite", "date": "2024-02-03"},
        version=1,
    )
    assert 'data-testid="stale-alert"' in contact.content.decode() and Contact.objects.count() == 0


@pytest.mark.django_db
def test_htmx_gets_the_live_region_only(client, world):
    client.force_login(world.ana)
    response = _stage(client, world, {"stage": "evaluation", "date": "2024-02-01"}, **HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert page.startswith('<div id="household-live">') and "<html" not in page
    assert "Étape « Évaluation sociale » enregistrée pour" in page
    refused = _stage(client, world, {"stage": "demande", "date": "2024-01-01"}, **HTMX)
    assert refused.status_code == 200
    assert "La date ne peut pas précéder celle de l&#x27;étape précédente (01/02/2024)." in refused.content.decode()


@pytest.mark.django_db
def test_add_a_situation(client, world):
    client.force_login(world.ana)
    prefix = f"situation{world.pathway.pk}"
    assert (
        _post(client, world, "record_situation", prefix, {"situation": "chrs", "since": "2024-02-01"}).status_code
        == 302
    )
    assert Situation.objects.get().situation == "chrs"
    page = _post(
        client, world, "record_situation", prefix, {"situation": "rue", "since": "2024-02-01"}
    ).content.decode()
    assert _error(page, f"id_{prefix}-since", "Une situation commence déjà le 01/02/2024 pour ce parcours.")
    assert Situation.objects.count() == 1


@pytest.mark.django_db
def test_add_a_contact(client, world):
    client.force_login(world.ana)
    prefix = f"contact{world.pathway.pk}"
    fields = {"kind": "telephone", "date": "2024-03-01", "note": "Appel pour le dossier"}
    assert _post(client, world, "record_contact", prefix, fields).status_code == 302
    contact = Contact.objects.get()
    assert (contact.kind, contact.note, contact.recorded_by) == ("telephone", "Appel pour le dossier", world.ana)
    world.pathway.refresh_from_db()
    assert world.pathway.last_activity_on == datetime.date(2024, 3, 1)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    page = _post(client, world, "record_contact", prefix, {"kind": "visite", "date": tomorrow}).content.decode()
    assert _error(page, f"id_{prefix}-date", "La date du contact ne peut pas être dans le futur.")
    assert Contact.objects.count() == 1


@pytest.mark.django_db
def test_open_and_close_a_measure(client, world):
    client.force_login(world.ana)
    prefix = f"mesure{world.pathway.pk}"
    fields = {"kind": "avdl_hors_dalo", "provider": str(world.abri.pk), "started_on": "2024-02-01"}
    assert _post(client, world, "open_measure", prefix, fields).status_code == 302
    measure = Measure.objects.get()
    assert (measure.kind, measure.provider, measure.ended_on) == ("avdl_hors_dalo", world.abri, None)
    close = f"fin{measure.pk}"
    page = _post(client, world, "close_measure", close, {"ended_on": "2024-01-01"}, pk=measure.pk).content.decode()
    assert _error(page, f"id_{close}-ended_on", "La date de fin précède la date de début de la mesure.")
    measure.refresh_from_db()
    assert measure.ended_on is None
    assert _post(client, world, "close_measure", close, {"ended_on": "2024-04-30"}, pk=measure.pk).status_code == 302
    measure.refresh_from_db()
    assert measure.ended_on == datetime.date(2024, 4, 30)


@pytest.mark.django_db
def test_a_measure_out_of_scope_cannot_be_closed(client, world):
    measure = services.measure_open(pathway=world.pathway, kind="asg", started_on=OPENED, by=world.ana)
    client.force_login(world.bob)
    assert (
        _post(client, world, "close_measure", f"fin{measure.pk}", {"ended_on": "2024-02-01"}, pk=measure.pk).status_code
        == 404
    )
    measure.refresh_from_db()
    assert measure.ended_on is None


@pytest.mark.django_db
def test_a_closed_pathway_offers_only_its_reopening(client, world):
    advance(world.pathway, "renonciation", on=OPENED)
    client.force_login(world.ana)
    page = client.get(reverse("casework:household_detail", args=[world.household.pk])).content.decode()
    select = page.split(f'id="id_etape{world.pathway.pk}-stage"')[1].split("</select>")[0]
    assert select.count("<option") == 2 and '<option value="demande">Demande enregistrée</option>' in select
    assert f"contact{world.pathway.pk}-kind" not in page
