"""Writes go through the services: the stage machine and its French messages hold, nothing is written
on a refusal, a stale or missing version is refused (409, 428)."""

import datetime

import pytest

from audit.models import AuditEvent
from pathways.enums import Stage
from pathways.models import Household, Pathway, Transition
from pathways.stages import allowed_next_stages, impossible_move

pytestmark = pytest.mark.django_db


def post_stage(client, pathway, *, version, **data):
    headers = {} if version is None else {"HTTP_IF_MATCH": f'"{version}"'}
    return client.post(f"/api/v1/parcours/{pathway.pk}/etapes/", data, format="json", **headers)


def test_a_forbidden_transition_is_a_400_with_the_stage_machines_french_message_and_nothing_written(small):
    pathway = small.pathways["a"]
    before = (Transition.objects.filter(pathway=pathway).count(), pathway.version)
    response = post_stage(
        small.clients["structure_a"], pathway, version=pathway.version, stage=Stage.ENTREE, date="2020-05-01"
    )
    assert response.status_code == 400, response.content
    expected = impossible_move(Stage.ATTENTE_ORIENTATION, Stage.ENTREE, allowed_next_stages(Stage.ATTENTE_ORIENTATION))
    assert response.json() == {"stage": [expected]}
    assert expected.startswith("Passage impossible de")
    pathway.refresh_from_db()
    assert (Transition.objects.filter(pathway=pathway).count(), pathway.version) == before


def test_a_future_date_is_refused_by_the_service_in_french(small):
    pathway = small.pathways["a"]
    future = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    response = post_stage(
        small.clients["structure_a"], pathway, version=pathway.version, stage=Stage.EVALUATION, date=future
    )
    assert response.status_code == 400
    assert response.json() == {"date": ["La date ne peut pas être dans le futur."]}


def test_an_allowed_transition_is_recorded_by_the_service_as_the_tokens_account(small):
    pathway = small.pathways["a"]
    response = post_stage(
        small.clients["structure_a"], pathway, version=pathway.version, stage=Stage.EVALUATION, date="2020-05-01"
    )
    assert response.status_code == 201, response.content
    pathway.refresh_from_db()
    assert pathway.stage == Stage.EVALUATION
    assert response["ETag"] == f'"{pathway.version}"'
    transition = Transition.objects.get(pk=response.json()["id"])
    actor = small.rows["structure_a"].actor
    assert transition.recorded_by_id == actor.pk
    event = AuditEvent.objects.filter(target="pathway", target_id=pathway.pk, action="update").latest("id")
    assert event.user_id == actor.pk and event.username == f"api-{small.rows['structure_a'].prefix}"


def test_a_stale_version_is_a_409_and_a_missing_one_a_428(small):
    pathway = small.pathways["a"]
    client = small.clients["structure_a"]
    stale = post_stage(client, pathway, version=pathway.version - 1, stage=Stage.EVALUATION, date="2020-05-01")
    assert stale.status_code == 409
    assert "modifié entre-temps" in stale.json()["detail"]
    missing = post_stage(client, pathway, version=None, stage=Stage.EVALUATION, date="2020-05-01")
    assert missing.status_code == 428
    assert "If-Match" in missing.json()["detail"]
    pathway.refresh_from_db()
    assert pathway.stage == Stage.ATTENTE_ORIENTATION


def test_the_etag_of_a_read_is_the_if_match_of_the_next_write(small):
    client = small.clients["territory"]
    pathway = small.pathways["b"]
    read = client.get(f"/api/v1/parcours/{pathway.pk}/")
    first = client.post(
        f"/api/v1/parcours/{pathway.pk}/etapes/",
        {"stage": Stage.ORIENTE, "date": "2020-05-01", "orientation": "logement_ordinaire"},
        format="json",
        HTTP_IF_MATCH=read["ETag"],
    )
    assert first.status_code == 201, first.content
    # A second client working from the same read is refused: no lost update.
    second = client.post(
        f"/api/v1/parcours/{pathway.pk}/etapes/",
        {"stage": Stage.EVALUATION, "date": "2020-05-01"},
        format="json",
        HTTP_IF_MATCH=read["ETag"],
    )
    assert second.status_code == 409
    assert Pathway.objects.get(pk=pathway.pk).stage == Stage.ORIENTE


def test_only_a_territory_token_decides_an_orientation(small):
    pathway = small.pathways["a"]
    data = {"stage": Stage.ORIENTE, "date": "2020-05-01", "orientation": "logement_ordinaire"}
    refused = post_stage(small.clients["structure_a"], pathway, version=pathway.version, **data)
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Seule la coordination peut décider d'une orientation."
    assert Pathway.objects.get(pk=pathway.pk).stage == Stage.ATTENTE_ORIENTATION
    missing = post_stage(
        small.clients["territory"], pathway, version=pathway.version, stage=Stage.ORIENTE, date="2020-05-01"
    )
    assert missing.status_code == 400
    assert missing.json() == {"orientation": ["Indiquez l'orientation décidée."]}
    done = post_stage(small.clients["territory"], pathway, version=pathway.version, **data)
    assert done.status_code == 201


def test_a_household_is_created_with_its_first_pathway_through_the_services(small):
    body = {
        "composition": "personne_seule",
        "adults": 1,
        "children": 0,
        "members": [{"last_name": "Nouvelarrivee", "first_name": "Iris", "relationship": "reference"}],
        "pathway": {"structure": small.structures["a"].pk, "commune": "13055", "opened_on": "2021-01-04"},
    }
    response = small.clients["structure_a"].post("/api/v1/menages/", body, format="json")
    assert response.status_code == 201, response.content
    household = Household.objects.get(pk=response.json()["id"])
    assert household.pathways.get().referent_structure == small.structures["a"]
    assert response.json()["members"][0]["last_name"] == "Nouvelarrivee"
    # Another structure than its own: refused, nothing created.
    body["pathway"]["structure"] = small.structures["b"].pk
    refused = small.clients["structure_a"].post("/api/v1/menages/", body, format="json")
    assert refused.status_code == 400
    assert "pathway.structure" in refused.json()
    assert Household.objects.count() == 5


def test_a_household_composition_error_comes_back_in_french_and_nothing_is_created(small):
    body = {
        "composition": "couple_avec_enfants",
        "adults": 1,
        "children": 0,
        "members": [{"last_name": "Seulement", "first_name": "Une", "relationship": "reference"}],
        "pathway": {"structure": small.structures["a"].pk, "commune": "13055", "opened_on": "2021-01-04"},
    }
    response = small.clients["structure_a"].post("/api/v1/menages/", body, format="json")
    assert response.status_code == 400
    messages = [m for values in response.json().values() for m in values]
    assert messages and all(isinstance(m, str) for m in messages)
    assert Household.objects.count() == 4


def test_a_household_update_needs_its_version(small):
    household = small.pathways["a"].household
    client = small.clients["structure_a"]
    url = f"/api/v1/menages/{household.pk}/"
    assert client.patch(url, {"confidential": True}, format="json").status_code == 428
    etag = client.get(url)["ETag"]
    done = client.patch(url, {"confidential": True}, format="json", HTTP_IF_MATCH=etag)
    assert done.status_code == 200, done.content
    assert done["ETag"] != etag
    stale = client.patch(url, {"confidential": False}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 409
    assert "Ce ménage a été modifié" in stale.json()["detail"]
    assert Household.objects.get(pk=household.pk).confidential is True


def test_a_coordinator_token_may_not_edit_a_confidential_household_whose_names_it_does_not_read(small):
    household = small.pathways["c"].household
    client = small.clients["territory"]
    url = f"/api/v1/menages/{household.pk}/"
    response = client.patch(url, {"adults": 1}, format="json", HTTP_IF_MATCH=f'"{household.version}"')
    assert response.status_code == 403


def test_situations_contacts_and_measures_are_recorded_through_their_services(small):
    pathway = small.pathways["a"]
    client = small.clients["structure_a"]
    base = f"/api/v1/parcours/{pathway.pk}"
    version = pathway.version
    situation = client.post(
        f"{base}/situations/", {"situation": "chu", "since": "2020-06-01"}, format="json", HTTP_IF_MATCH=f'"{version}"'
    )
    assert situation.status_code == 201, situation.content
    taken = client.post(
        f"{base}/situations/",
        {"situation": "chrs", "since": "2020-06-01"},
        format="json",
        HTTP_IF_MATCH=situation["ETag"],
    )
    assert taken.status_code == 400
    assert taken.json() == {"since": ["Une situation commence déjà le 01/06/2020 pour ce parcours."]}
    contact = client.post(
        f"{base}/contacts/",
        {"date": "2020-06-02", "kind": "telephone", "note": "Appel"},
        format="json",
        HTTP_IF_MATCH=situation["ETag"],
    )
    assert contact.status_code == 201, contact.content
    measure = client.post(
        f"{base}/mesures/", {"kind": "asg", "started_on": "2020-06-03"}, format="json", HTTP_IF_MATCH=contact["ETag"]
    )
    assert measure.status_code == 201, measure.content
    listed = client.get(f"{base}/contacts/").json()
    assert [row["note"] for row in listed] == ["Appel"]
