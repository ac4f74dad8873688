"""A confidential household's free texts (transition reasons, transfer and contact notes) are read only
inside its referent structure: not by the coordination, not by a structure it is shared with, not in
the exchange export."""

import csv

import pytest
from django.urls import reverse
from django.utils import timezone

from pathways.enums import ContactKind, Stage
from pathways.exchange.exporter import export_exchange
from pathways.services import contact_record, pathway_assign, pathway_share, pathway_transition
from tests.web.queues_scenario import make_scenario

REASON = "Violences conjugales signalées"
TRANSFER_NOTE = "Hébergement loin du conjoint"
CONTACT_NOTE = "Appel depuis le foyer"
TEXTS = (REASON, TRANSFER_NOTE, CONTACT_NOTE)


@pytest.fixture
def world(geo):
    world = make_scenario(geo)
    today = timezone.localdate()
    secret = world.secret
    pathway_transition(pathway=secret, to_stage=Stage.DEMANDE, on=today, by=world.sam, reason=REASON)
    pathway_assign(pathway=secret, structure=world.alpha, caseworker=world.sam, note=TRANSFER_NOTE, by=world.sam)
    contact_record(pathway=secret, on=today, kind=ContactKind.TELEPHONE, by=world.sam, note=CONTACT_NOTE)
    pathway_share(pathway=secret, structure=world.beta, by=world.coordinator)
    # The same texts on an ordinary household, which everyone who sees it reads.
    pathway_transition(
        pathway=world.durand, to_stage=Stage.EVALUATION, on=today, by=world.sam, reason="Dossier complet"
    )
    pathway_assign(pathway=world.durand, structure=world.alpha, note="Reprise par Sam", by=world.coordinator)
    return world


def household_page(client, user, pathway) -> str:
    client.force_login(user)
    response = client.get(reverse("casework:household_detail", args=[pathway.household_id]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_referent_structure_reads_every_free_text(client, world):
    html = household_page(client, world.sam, world.secret)
    for text in TEXTS:
        assert text in html


@pytest.mark.parametrize("who", ["coordinator", "lou"])
def test_outside_the_referent_structure_no_free_text_is_shown(client, world, who):
    """The coordination of the territory and the caseworker of a structure it is shared with."""
    html = household_page(client, getattr(world, who), world.secret)
    assert "Nina" not in html  # the names, as before
    for text in TEXTS:
        assert text not in html
    # An ordinary household's reasons and notes are shown to the coordination.
    if who == "coordinator":
        html = household_page(client, world.coordinator, world.durand)
        assert "Dossier complet" in html and "Reprise par Sam" in html


def test_the_transfer_page_hides_a_confidential_transfer_note(client, world):
    client.force_login(world.coordinator)
    html = client.get(reverse("queues:assign", args=[world.secret.pk])).content.decode()
    assert TRANSFER_NOTE not in html
    assert "Motif masqué (confidentiel)" in html
    html = client.get(reverse("queues:assign", args=[world.durand.pk])).content.decode()
    assert "Reprise par Sam" in html


def test_the_exchange_export_leaves_out_the_reasons_of_confidential_households(world, tmp_path):
    export_exchange(tmp_path, with_personal_data=True)
    with open(tmp_path / "transitions.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    reasons = {row["reason"] for row in rows}
    assert REASON not in reasons
    assert "Dossier complet" in reasons
    secret_rows = [row for row in rows if row["pathway"] == world.secret.reference]
    assert secret_rows and all(row["reason"] == "" for row in secret_rows)
